import Exposition
import Foundation
import MetricModel

extension FederatedSamples {
    /// The media type of the delimited protobuf exposition format.
    static let protobufContentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"

    /// Whether an `Accept` header prefers the delimited protobuf format: it lists
    /// `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily` with a quality
    /// above zero and no lower than that of any other media type it lists (a Prometheus with
    /// native histograms on offers it first).
    static func prefersProtobuf(accept: String) -> Bool {
        var protobuf: Double?
        var others = 0.0
        for mediaType in accept.split(separator: ",") {
            let parts = mediaType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let type = parts.first?.lowercased(), !type.isEmpty else { continue }
            var quality = 1.0, proto = ""
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                if pair[0].lowercased() == "q" { quality = Double(pair[1]).map { min(max($0, 0), 1) } ?? 0 }
                if pair[0].lowercased() == "proto" { proto = pair[1] }
            }
            if type == "application/vnd.google.protobuf" && proto == "io.prometheus.client.MetricFamily" {
                protobuf = max(protobuf ?? 0, quality)
            } else {
                others = max(others, quality)
            }
        }
        guard let protobuf, protobuf > 0 else { return false }
        return protobuf >= others
    }

    /// The delimited protobuf format: one `MetricFamily` per run of series with the same name and
    /// kind, numbers as untyped metrics, native histograms as histograms (gauge histograms as
    /// such), each with its timestamp. Custom-bucket histograms are left out: the format has no
    /// field for their bounds. Names are escaped as `escaping` says (kept as they are for
    /// ``NameEscapingScheme/allowUTF8``).
    func delimitedProtobuf(escaping: NameEscapingScheme) throws -> [UInt8] {
        var families: [ExposedMetricFamily] = []
        for (labels, t, value) in series {
            var metric = ExposedMetric()
            metric.label = labels.pairs.filter { $0.name != LabelName.metricName }.map { pair in
                var label = ExposedLabelPair()
                label.name = escaping.escape(labelName: pair.name)
                label.value = pair.value
                return label
            }
            metric.timestampMs = t
            let type: ExposedMetricType
            switch value {
            case .float(let v):
                type = .untyped
                metric.untyped.value = v
            case .histogram(let h):
                let schema = switch h {
                case .integer(let n): n.schema
                case .float(let f): f.schema
                }
                if schema == NativeHistogram.customBucketsSchema { continue }
                type = h.counterResetHint == .gauge ? .gaugeHistogram : .histogram
                metric.histogram = ExposedHistogram(native: h)
            }
            let name = escaping.escape(metricName: labels.metricName)
            if let last = families.last, last.name == name, last.type == type {
                families[families.count - 1].metric.append(metric)
            } else {
                var family = ExposedMetricFamily()
                family.name = name
                family.type = type
                family.metric = [metric]
                families.append(family)
            }
        }
        return try DelimitedProtobuf.encode(families)
    }
}
