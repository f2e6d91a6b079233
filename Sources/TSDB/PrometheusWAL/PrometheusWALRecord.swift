import MetricModel

/// The records of Prometheus' WAL that Vigil imports: series (reference and labels), float
/// samples (reference, timestamp, value, as deltas from the first) and native histogram samples
/// (see `PrometheusWALRecord+Histograms.swift`). Tombstones, exemplars and metadata are
/// recognised and counted, not imported.
package enum PrometheusWALRecord {
    case series([(ref: UInt64, labels: Labels)])
    case samples([(ref: UInt64, t: Int64, v: Double)])
    case histograms([(ref: UInt64, t: Int64, value: HistogramValue)])
    case other(type: UInt8)

    /// Decodes one record; nil when it is damaged.
    package init?(_ bytes: [UInt8]) {
        guard let type = bytes.first else { return nil }
        let parsed: PrometheusWALRecord? = bytes.withUnsafeBytes { raw in
            var r = MappedReader(raw, from: 1)
            switch type {
            case 1:
                var series: [(ref: UInt64, labels: Labels)] = []
                while r.remaining > 0 {
                    guard let ref = r.u64BE(), let count = r.uvarint(), count <= UInt64(r.remaining) else { return nil }
                    var pairs: [Label] = []
                    for _ in 0..<count {
                        guard let name = r.uvarintString(), let value = r.uvarintString() else { return nil }
                        pairs.append(Label(name, value))
                    }
                    series.append((ref, Labels(pairs)))
                }
                return .series(series)
            case 2:
                guard r.remaining >= 16, let firstRef = r.u64BE(), let firstT = r.u64BE() else { return r.remaining == 0 ? .samples([]) : nil }
                var samples: [(ref: UInt64, t: Int64, v: Double)] = []
                while r.remaining > 0 {
                    guard let dRef = r.varint(), let dT = r.varint(), let bits = r.u64BE() else { return nil }
                    samples.append((firstRef &+ UInt64(bitPattern: dRef), Int64(bitPattern: firstT) &+ dT, Double(bitPattern: bits)))
                }
                return .samples(samples)
            default:
                if let floatCounts = Self.histogramTypes[type] {
                    return Self.histogramSamples(&r, floatCounts: floatCounts).map(PrometheusWALRecord.histograms)
                }
                return .other(type: type)
            }
        }
        guard let parsed else { return nil }
        self = parsed
    }
}
