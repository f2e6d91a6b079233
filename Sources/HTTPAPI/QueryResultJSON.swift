import MetricModel
import PromQL
import TSDB

/// Writes query results in Prometheus' JSON shapes, with values formatted as Go formats them.
enum QueryResultJSON {
    /// Sample values as Prometheus writes them (see ``GoFloat``).
    static func formatValue(_ v: Double) -> String { GoFloat.format(v) }

    /// Seconds with up to millisecond precision, as a JSON number.
    static func formatTime(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : ""
        let a = ms.magnitude
        let frac = a % 1000
        if frac == 0 { return "\(sign)\(a / 1000)" }
        var f = String(frac)
        f = String(repeating: "0", count: 3 - f.count) + f
        while f.hasSuffix("0") { f.removeLast() }
        return "\(sign)\(a / 1000).\(f)"
    }

    static func string(_ s: String) -> String { JSONString.quote(s) }

    static func labels(_ l: Labels) -> String {
        "{" + l.pairs.map { string($0.name) + ":" + string($0.value) }.joined(separator: ",") + "}"
    }

    static func point(_ t: Int64, _ v: Double) -> String {
        var out = ""
        writePoint(&out, t, v)
        return out
    }

    /// Appends `[seconds,"value"]` without temporary strings for the common cases.
    static func writePoint(_ out: inout String, _ t: Int64, _ v: Double) {
        out += "["
        if t >= 0 && t % 1000 == 0 { out += String(t / 1000) } else { out += formatTime(t) }
        out += ",\""
        if v.isFinite, v == v.rounded(.towardZero), abs(v) < 1e15 {
            out += String(Int64(v))
        } else {
            out += formatValue(v)
        }
        out += "\"]"
    }

    /// `{"resultType":...,"result":...}`, written into one buffer.
    static func data(_ value: Value) -> String {
        switch value {
        case .scalar(let t, let v):
            return "{\"resultType\":\"scalar\",\"result\":" + point(t, v) + "}"
        case .string(let t, let s):
            return "{\"resultType\":\"string\",\"result\":[" + formatTime(t) + "," + string(s) + "]}"
        case .vector(let vec):
            var out = "{\"resultType\":\"vector\",\"result\":["
            out.reserveCapacity(vec.count * 96)
            for (i, el) in vec.enumerated() {
                if i > 0 { out += "," }
                out += "{\"metric\":"
                out += labels(el.labels)
                out += ",\"value\":"
                writePoint(&out, el.t, el.v)
                out += "}"
            }
            return out + "]}"
        case .matrix(let m):
            var out = "{\"resultType\":\"matrix\",\"result\":["
            out.reserveCapacity(m.reduce(64) { $0 + 96 + $1.samples.count * 24 })
            for (i, series) in m.enumerated() {
                if i > 0 { out += "," }
                out += "{\"metric\":"
                out += labels(series.labels)
                out += ",\"values\":["
                for (k, s) in series.samples.enumerated() {
                    if k > 0 { out += "," }
                    writePoint(&out, s.t, s.v)
                }
                out += "]}"
            }
            return out + "]}"
        }
    }

    static func success(_ data: String, warnings: [String] = [], infos: [String] = []) -> String {
        var out = "{\"status\":\"success\",\"data\":" + data
        if !warnings.isEmpty { out += ",\"warnings\":[" + warnings.map(string).joined(separator: ",") + "]" }
        if !infos.isEmpty { out += ",\"infos\":[" + infos.map(string).joined(separator: ",") + "]" }
        return out + "}"
    }
}
