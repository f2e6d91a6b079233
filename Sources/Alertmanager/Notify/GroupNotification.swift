import Foundation
import MetricModel

/// One alert as notifications show it.
public struct NotificationAlert: Sendable, Equatable {
    public var status: String
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Int64
    /// `nil` while firing (the planned end is not shown, as in Alertmanager).
    public var endsAt: Int64?
    public var generatorURL: String
    public var fingerprint: AlertFingerprint

    public init(_ a: ManagedAlert, now: Int64) {
        let resolved = a.isResolved(at: now)
        status = resolved ? "resolved" : "firing"
        labels = a.labels
        annotations = a.annotations
        startsAt = a.startsAt
        endsAt = resolved ? a.endsAt : nil
        generatorURL = a.generatorURL
        fingerprint = a.fingerprint
    }
}

/// A notification about one group for one receiver: the data of the webhook payload and of
/// notification templates.
public struct GroupNotification: Sendable {
    public var receiver: String
    /// `firing` when any alert fires, else `resolved`.
    public var status: String
    public var alerts: [NotificationAlert]
    public var groupLabels: Labels
    public var commonLabels: Labels
    public var commonAnnotations: Labels
    public var externalURL: String
    public var groupKey: String
    public var truncatedAlerts = 0

    public init(receiver: String, groupKey: String, groupLabels: Labels, alerts: [ManagedAlert], externalURL: String, now: Int64) {
        self.receiver = receiver
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.externalURL = externalURL
        self.alerts = alerts.map { NotificationAlert($0, now: now) }
        self.status = self.alerts.contains { $0.status == "firing" } ? "firing" : "resolved"
        self.commonLabels = Self.common(self.alerts.map(\.labels))
        self.commonAnnotations = Self.common(self.alerts.map(\.annotations))
    }

    /// The pairs every set has with the same value.
    static func common(_ sets: [Labels]) -> Labels {
        guard var result = sets.first?.pairs else { return .empty }
        for s in sets.dropFirst() { result.removeAll { s[$0.name] != $0.value } }
        return Labels(sorted: result)
    }

    /// This notification with at most `max` alerts (0: all), the rest counted as truncated.
    public func truncated(to max: Int) -> GroupNotification {
        guard max > 0, alerts.count > max else { return self }
        var copy = self
        copy.truncatedAlerts = alerts.count - max
        copy.alerts = Array(alerts.prefix(max))
        return copy
    }

    public var firing: [NotificationAlert] { alerts.filter { $0.status == "firing" } }
    public var resolved: [NotificationAlert] { alerts.filter { $0.status == "resolved" } }
}

/// Go's `time.Time` in JSON (RFC 3339 with fractional seconds trimmed) and in text
/// (`2006-01-02 15:04:05.999999999 -0700 MST`).
public enum GoTime {
    public static let zeroJSON = "0001-01-01T00:00:00Z"

    public static func rfc3339(_ ms: Int64) -> String {
        let (date, frac) = parts(ms)
        return date + (frac.isEmpty ? "" : "." + frac) + "Z"
    }

    public static func text(_ ms: Int64) -> String {
        let (date, frac) = parts(ms)
        return date.replacingOccurrences(of: "T", with: " ") + (frac.isEmpty ? "" : "." + frac) + " +0000 UTC"
    }

    private static func parts(_ ms: Int64) -> (String, String) {
        let seconds = ms.floorDivided(by: 1000)
        let millis = ms - seconds * 1000
        var t = time_t(seconds)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let date = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1, Int(tmv.tm_mday),
                          Int(tmv.tm_hour), Int(tmv.tm_min), Int(tmv.tm_sec))
        var frac = millis == 0 ? "" : String(format: "%03d", Int(millis))
        while frac.hasSuffix("0") { frac.removeLast() }
        return (date, frac)
    }

    /// Parses RFC 3339 (`2024-05-01T10:00:00Z`, fractions and offsets allowed) to milliseconds.
    public static func parse(_ s: String) -> Int64? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return Int64((d.timeIntervalSince1970 * 1000).rounded()) }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return Int64((d.timeIntervalSince1970 * 1000).rounded()) }
        // More than millisecond precision (Go writes nanoseconds): drop the extra digits.
        if let dot = s.firstIndex(of: "."), let zone = s[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = s[s.index(after: dot)..<zone]
            if digits.count > 3, digits.allSatisfy(\.isNumber) {
                return parse(String(s[..<dot]) + "." + digits.prefix(3) + String(s[zone...]))
            }
        }
        return nil
    }
}

extension Int64 {
    func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

extension GroupNotification {
    /// A made-up firing alert for trying receivers and templates (`vigil notify test`, `vigil template render`).
    public static func sample(receiver: String, externalURL: String, now: Int64) -> GroupNotification {
        let alert = ManagedAlert(
            labels: Labels(["alertname": "VigilTestNotification", "severity": "info", "instance": "vigil.example:9090", "job": "vigil"]),
            annotations: Labels(["summary": "A test notification from Vigil", "description": "Sent by `vigil notify test` to check that this receiver works."]),
            startsAt: now, endsAt: nil, generatorURL: externalURL + "/graph", updatedAt: now)
        return GroupNotification(receiver: receiver, groupKey: "{}:{alertname=\"VigilTestNotification\"}",
                            groupLabels: Labels(["alertname": "VigilTestNotification"]), alerts: [alert], externalURL: externalURL, now: now)
    }
}

extension Receiver {
    /// The integrations that deliver to this receiver, in configuration order (`email[0]`, `webhook[0]`, …).
    public var integrations: [any Integration] {
        emailConfigs.map { EmailIntegration(config: $0) } + webhookConfigs.map { WebhookIntegration(config: $0) }
    }
}
