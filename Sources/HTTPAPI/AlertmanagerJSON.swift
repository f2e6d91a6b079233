import Alertmanager
import Foundation
import MetricModel

/// Alertmanager API v2 shapes: written with ``JSONWriter``, read from JSON with every field checked.
enum AlertmanagerJSON {
    /// A `gettableAlert`.
    static func alert(_ r: AlertReport, into w: inout JSONWriter) {
        let a = r.alert
        w.raw("{\"annotations\":")
        w.labels(a.annotations)
        w.raw(",\"endsAt\":")
        w.string(a.endsAt.map(GoTime.rfc3339) ?? GoTime.zeroJSON)
        w.raw(",\"fingerprint\":")
        w.string(a.fingerprint.description)
        w.raw(",\"receivers\":[")
        for (i, name) in r.receivers.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"name\":")
            w.string(name)
            w.raw("}")
        }
        w.raw("],\"startsAt\":")
        w.string(GoTime.rfc3339(a.startsAt))
        w.raw(",\"status\":{\"inhibitedBy\":")
        strings(r.inhibitedBy, into: &w)
        w.raw(",\"silencedBy\":")
        strings(r.silencedBy, into: &w)
        w.raw(",\"state\":")
        w.string(r.state)
        w.raw("},\"updatedAt\":")
        w.string(GoTime.rfc3339(a.updatedAt))
        if !a.generatorURL.isEmpty {
            w.raw(",\"generatorURL\":")
            w.string(a.generatorURL)
        }
        w.raw(",\"labels\":")
        w.labels(a.labels)
        w.raw("}")
    }

    /// A `gettableSilence`.
    static func silence(_ s: Silence, now: Int64, into w: inout JSONWriter) {
        w.raw("{\"id\":")
        w.string(s.id)
        w.raw(",\"status\":{\"state\":")
        w.string(s.state(at: now).rawValue)
        w.raw("},\"updatedAt\":")
        w.string(GoTime.rfc3339(s.updatedAt))
        w.raw(",\"comment\":")
        w.string(s.comment)
        w.raw(",\"createdBy\":")
        w.string(s.createdBy)
        w.raw(",\"endsAt\":")
        w.string(GoTime.rfc3339(s.endsAt))
        w.raw(",\"matchers\":[")
        for (i, m) in s.matchers.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"isEqual\":")
            w.raw(m.isEqual ? "true" : "false")
            w.raw(",\"isRegex\":")
            w.raw(m.isRegex ? "true" : "false")
            w.raw(",\"name\":")
            w.string(m.name)
            w.raw(",\"value\":")
            w.string(m.value)
            w.raw("}")
        }
        w.raw("],\"startsAt\":")
        w.string(GoTime.rfc3339(s.startsAt))
        w.raw("}")
    }

    static func strings(_ list: [String], into w: inout JSONWriter) {
        w.raw("[")
        for (i, s) in list.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(s)
        }
        w.raw("]")
    }

    /// A JSON request body that is not what the API expects.
    struct InputError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// `[postableAlert]`.
    static func postedAlerts(_ data: Data) throws(InputError) -> [PostedAlert] {
        guard let list = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            throw InputError("the body must be a JSON array of alerts")
        }
        var out: [PostedAlert] = []
        for (i, item) in list.enumerated() {
            guard let obj = item as? [String: Any] else { throw InputError("alert \(i): expected an object") }
            let labels = try stringMap(obj["labels"], "alert \(i): labels")
            guard let labels else { throw InputError("alert \(i): labels in body is required") }
            let annotations = try stringMap(obj["annotations"], "alert \(i): annotations") ?? .empty
            let startsAt = try time(obj["startsAt"], "alert \(i): startsAt")
            let endsAt = try time(obj["endsAt"], "alert \(i): endsAt")
            var url = ""
            if let u = obj["generatorURL"], !(u is NSNull) {
                guard let s = u as? String else { throw InputError("alert \(i): generatorURL must be a string") }
                url = s
            }
            out.append(PostedAlert(labels: labels, annotations: annotations, startsAt: startsAt, endsAt: endsAt, generatorURL: url))
        }
        return out
    }

    /// A `postableSilence`.
    static func postedSilence(_ data: Data) throws(InputError) -> Silence {
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError("the body must be a JSON object describing a silence")
        }
        guard let rawMatchers = obj["matchers"] as? [Any] else { throw InputError("matchers in body is required") }
        var matchers: [Silence.Matcher] = []
        for (i, m) in rawMatchers.enumerated() {
            guard let mo = m as? [String: Any], let name = mo["name"] as? String, let value = mo["value"] as? String else {
                throw InputError("matcher \(i): name and value are required strings")
            }
            guard let isRegex = mo["isRegex"] as? Bool else { throw InputError("matcher \(i): isRegex in body is required") }
            let isEqual = (mo["isEqual"] as? Bool) ?? true
            matchers.append(Silence.Matcher(name: name, value: value, isRegex: isRegex, isEqual: isEqual))
        }
        guard let startsAt = try time(obj["startsAt"], "startsAt") else { throw InputError("startsAt in body is required") }
        guard let endsAt = try time(obj["endsAt"], "endsAt") else { throw InputError("endsAt in body is required") }
        guard let createdBy = obj["createdBy"] as? String else { throw InputError("createdBy in body is required") }
        guard let comment = obj["comment"] as? String else { throw InputError("comment in body is required") }
        let id = (obj["id"] as? String) ?? ""
        return Silence(id: id, matchers: matchers, startsAt: startsAt, endsAt: endsAt, createdBy: createdBy, comment: comment)
    }

    private static func stringMap(_ v: Any?, _ what: String) throws(InputError) -> Labels? {
        guard let v, !(v is NSNull) else { return nil }
        guard let obj = v as? [String: Any] else { throw InputError("\(what) must be an object of strings") }
        var pairs: [Label] = []
        for (k, value) in obj {
            guard let s = value as? String else { throw InputError("\(what).\(k) must be a string") }
            pairs.append(Label(k, s))
        }
        return Labels(pairs)
    }

    private static func time(_ v: Any?, _ what: String) throws(InputError) -> Int64? {
        guard let v, !(v is NSNull) else { return nil }
        guard let s = v as? String else { throw InputError("\(what) must be an RFC 3339 time") }
        if s.isEmpty || s.hasPrefix("0001-01-01T00:00:00") { return nil }
        guard let ms = GoTime.parse(s) else { throw InputError("\(what): cannot parse \(s) as an RFC 3339 time") }
        return ms
    }
}
