import Alertmanager
import Foundation
import MetricModel

/// Alertmanager API v2 shapes: written with ``JSONWriter``, read from JSON with every field checked.
package enum AlertmanagerJSON {
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

    /// A `postableSilence`.
    package static func postedSilence(_ data: Data) throws(APIv2Input.Invalid) -> Silence {
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIv2Input.Invalid("the body must be a JSON object describing a silence")
        }
        guard let rawMatchers = obj["matchers"] as? [Any] else { throw APIv2Input.Invalid("matchers in body is required") }
        var matchers: [Silence.Matcher] = []
        for (i, m) in rawMatchers.enumerated() {
            guard let mo = m as? [String: Any], let name = mo["name"] as? String, let value = mo["value"] as? String else {
                throw APIv2Input.Invalid("matcher \(i): name and value are required strings")
            }
            guard let isRegex = mo["isRegex"] as? Bool else { throw APIv2Input.Invalid("matcher \(i): isRegex in body is required") }
            let isEqual = (mo["isEqual"] as? Bool) ?? true
            matchers.append(Silence.Matcher(name: name, value: value, isRegex: isRegex, isEqual: isEqual))
        }
        guard let startsAt = try APIv2Input.time(obj["startsAt"], "startsAt") else { throw APIv2Input.Invalid("startsAt in body is required") }
        guard let endsAt = try APIv2Input.time(obj["endsAt"], "endsAt") else { throw APIv2Input.Invalid("endsAt in body is required") }
        guard let createdBy = obj["createdBy"] as? String else { throw APIv2Input.Invalid("createdBy in body is required") }
        guard let comment = obj["comment"] as? String else { throw APIv2Input.Invalid("comment in body is required") }
        let id = (obj["id"] as? String) ?? ""
        return Silence(id: id, matchers: matchers, startsAt: startsAt, endsAt: endsAt, createdBy: createdBy, comment: comment)
    }
}
