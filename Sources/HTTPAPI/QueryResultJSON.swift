import Hummingbird
import MetricModel
import NIOCore
import PromQL
import TSDB

/// Writes query results in Prometheus' JSON shapes, with values formatted as Go formats them.
enum QueryResultJSON {
    /// Sample values as Prometheus writes them (see ``GoFloat``).
    static func formatValue(_ v: Double) -> String { text { $0.sampleValue(v) }.dropFirst().dropLast().description }

    /// Seconds with up to millisecond precision, as a JSON number.
    static func formatTime(_ ms: Int64) -> String { text { $0.time(ms) } }

    static func string(_ s: String) -> String { JSONString.quote(s) }

    static func labels(_ l: Labels) -> String { text { $0.labels(l) } }

    private static func text(_ write: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter(capacity: 32)
        write(&w)
        return String(buffer: w.buffer)
    }

    /// The whole success envelope of a query, written into one buffer.
    static func successBody(_ value: Value, warnings: [String], infos: [String]) -> ByteBuffer {
        var w = JSONWriter(capacity: estimatedSize(value))
        w.raw("{\"status\":\"success\",\"data\":")
        write(value, into: &w)
        annotations(warnings: warnings, infos: infos, into: &w)
        w.raw("}")
        return w.buffer
    }

    static func estimatedSize(_ value: Value) -> Int {
        switch value {
        case .vector(let v): return 128 + v.count * 128
        // About 35 bytes a point with 16-digit values: reserving enough spares copying the
        // buffer as it grows (pages are only touched once written).
        case .matrix(let m): return m.reduce(128) { $0 + 256 + $1.samples.count * 40 + $1.histograms.count * 256 }
        default: return 256
        }
    }

    /// `{"resultType":...,"result":...}`.
    static func write(_ value: Value, into w: inout JSONWriter) {
        switch value {
        case .scalar(let t, let v):
            w.raw("{\"resultType\":\"scalar\",\"result\":")
            w.point(t, v)
            w.raw("}")
        case .string(let t, let s):
            w.raw("{\"resultType\":\"string\",\"result\":[")
            w.time(t)
            w.raw(",")
            w.string(s)
            w.raw("]}")
        case .vector(let vec):
            w.raw("{\"resultType\":\"vector\",\"result\":[")
            for (i, el) in vec.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{\"metric\":")
                w.labels(el.labels)
                if let h = el.histogram {
                    w.raw(",\"histogram\":")
                    w.histogramPoint(el.t, h)
                } else {
                    w.raw(",\"value\":")
                    w.point(el.t, el.v)
                }
                w.raw("}")
            }
            w.raw("]}")
        case .matrix(let m):
            w.raw("{\"resultType\":\"matrix\",\"result\":[")
            for (i, series) in m.enumerated() {
                if i > 0 { w.raw(",") }
                matrixSeries(series, into: &w)
            }
            w.raw("]}")
        }
    }

    /// `{"metric":{...},"values":[[t,"v"],...]}`, with `"histograms":[[t,{...}],...]` for native
    /// histogram samples (and `values` only when there are floats too).
    static func matrixSeries(_ series: MatrixSeries, into w: inout JSONWriter) {
        w.raw("{\"metric\":")
        w.labels(series.labels)
        if !series.samples.isEmpty || series.histograms.isEmpty {
            w.raw(",\"values\":[")
            w.points(series.samples)
            w.raw("]")
        }
        if !series.histograms.isEmpty {
            w.raw(",\"histograms\":[")
            for (i, sample) in series.histograms.enumerated() {
                if i > 0 { w.raw(",") }
                w.histogramPoint(sample.t, sample.histogram)
            }
            w.raw("]")
        }
        w.raw("}")
    }

    static func annotations(warnings: [String], infos: [String], into w: inout JSONWriter) {
        for (key, list) in [("warnings", warnings), ("infos", infos)] where !list.isEmpty {
            w.raw(",\"" + key + "\":[")
            for (i, text) in list.enumerated() {
                if i > 0 { w.raw(",") }
                w.string(text)
            }
            w.raw("]")
        }
    }

    /// The success envelope around data that is already JSON text.
    static func success(_ data: String, warnings: [String] = [], infos: [String] = []) -> String {
        var w = JSONWriter(capacity: data.utf8.count + 64)
        w.raw("{\"status\":\"success\",\"data\":")
        w.raw(data)
        annotations(warnings: warnings, infos: infos, into: &w)
        w.raw("}")
        return String(buffer: w.buffer)
    }
}
