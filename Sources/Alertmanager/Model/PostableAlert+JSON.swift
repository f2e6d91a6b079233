import Foundation
import MetricModel

extension PostableAlert {
    /// A JSON array of alerts, as `POST /api/v2/alerts` takes them.
    public static func json(_ alerts: [PostableAlert]) -> Data {
        var out = "["
        for (i, a) in alerts.enumerated() {
            if i > 0 { out += "," }
            out += "{\"labels\":" + object(a.labels) + ",\"annotations\":" + object(a.annotations)
            if let start = a.startsAt { out += ",\"startsAt\":" + JSONString.quote(time(start)) }
            if let end = a.endsAt { out += ",\"endsAt\":" + JSONString.quote(time(end)) }
            out += ",\"generatorURL\":" + JSONString.quote(a.generatorURL) + "}"
        }
        return Data((out + "]").utf8)
    }

    /// Reads a `POST /api/v2/alerts` body: a JSON array of `postableAlert`s, every field checked.
    package static func decodeList(_ data: Data) throws(APIv2Input.Invalid) -> [PostableAlert] {
        guard let list = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            throw APIv2Input.Invalid("the body must be a JSON array of alerts")
        }
        var out: [PostableAlert] = []
        for (i, item) in list.enumerated() {
            guard let obj = item as? [String: Any] else { throw APIv2Input.Invalid("alert \(i): expected an object") }
            guard let labels = try APIv2Input.stringMap(obj["labels"], "alert \(i): labels") else {
                throw APIv2Input.Invalid("alert \(i): labels in body is required")
            }
            let annotations = try APIv2Input.stringMap(obj["annotations"], "alert \(i): annotations") ?? .empty
            let startsAt = try APIv2Input.time(obj["startsAt"], "alert \(i): startsAt")
            let endsAt = try APIv2Input.time(obj["endsAt"], "alert \(i): endsAt")
            var url = ""
            if let u = obj["generatorURL"], !(u is NSNull) {
                guard let s = u as? String else { throw APIv2Input.Invalid("alert \(i): generatorURL must be a string") }
                url = s
            }
            out.append(PostableAlert(labels: labels, annotations: annotations, startsAt: startsAt, endsAt: endsAt, generatorURL: url))
        }
        return out
    }

    private static func object(_ labels: Labels) -> String {
        "{" + labels.pairs.map { JSONString.quote($0.name) + ":" + JSONString.quote($0.value) }.joined(separator: ",") + "}"
    }

    private static func time(_ ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
