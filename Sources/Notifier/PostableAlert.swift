import Foundation
import MetricModel
import Rules

/// An alert in Alertmanager's API v2 `POST /api/v2/alerts` shape.
public struct PostableAlert: Sendable, Equatable {
    public var labels: Labels
    public var annotations: [String: String]
    /// Milliseconds; `endsAt` in the past means resolved.
    public var startsAt: Int64
    public var endsAt: Int64?
    public var generatorURL: String

    public init(labels: Labels, annotations: [String: String], startsAt: Int64, endsAt: Int64?, generatorURL: String) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }

    /// The wire form of a rule's alert: resolved alerts end when they resolved, firing ones when
    /// their validity runs out; the generator URL opens the rule's expression in Vigil.
    public init(_ n: AlertNotification, externalURL: String) {
        let a = n.alert
        let endsAt = a.state == .inactive ? a.resolvedAt : a.validUntil
        var base = externalURL
        if base.hasSuffix("/") { base.removeLast() }
        let query = n.expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? ""
        self.init(labels: a.labels, annotations: a.annotations, startsAt: a.activeAt, endsAt: endsAt,
                  generatorURL: base + "/graph?g0.expr=" + query + "&g0.tab=1")
    }

    /// A JSON array of alerts, as the API takes them.
    static func json(_ alerts: [PostableAlert]) -> Data {
        var out = "["
        for (i, a) in alerts.enumerated() {
            if i > 0 { out += "," }
            out += "{\"labels\":{" + a.labels.pairs.map { JSONString.quote($0.name) + ":" + JSONString.quote($0.value) }.joined(separator: ",") + "}"
            out += ",\"annotations\":{" + a.annotations.keys.sorted().map { JSONString.quote($0) + ":" + JSONString.quote(a.annotations[$0] ?? "") }.joined(separator: ",") + "}"
            out += ",\"startsAt\":" + JSONString.quote(time(a.startsAt))
            if let end = a.endsAt { out += ",\"endsAt\":" + JSONString.quote(time(end)) }
            out += ",\"generatorURL\":" + JSONString.quote(a.generatorURL) + "}"
        }
        return Data((out + "]").utf8)
    }

    static func time(_ ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
