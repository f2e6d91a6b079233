import MetricModel

extension ExpositionFamily {
    /// The family as a server that keeps families structured gives it back — as the Pushgateway
    /// does with a text body it parsed into protobuf messages and writes out again: bucket bounds
    /// and quantiles rewritten from their numbers (`le="1.0"` becomes `le="1"`), and every
    /// histogram with its `+Inf` bucket, `_sum` and `_count`, every summary with its `_sum` and
    /// `_count` (0 where the body left them out); native histogram samples stay as they are. Other
    /// families come back unchanged.
    ///
    /// Throws when a histogram bucket has no numeric `le`, or a summary quantile no numeric
    /// `quantile`, as a structured reader must refuse them.
    public func structured() throws(ExpositionError) -> ExpositionFamily {
        let bounded: String
        switch type {
        case .histogram, .gaugehistogram: bounded = "le"
        case .summary: bounded = "quantile"
        default: return self
        }
        struct Parts {
            var base: Labels
            var hasInfinity = false
            var hasSum = false
            var count: Double?
        }
        var parts: [Labels: Parts] = [:]
        var order: [Labels] = []
        var out = self
        out.samples = []
        out.samples.reserveCapacity(samples.count + 2)
        for var sample in samples {
            // A native histogram sample is whole as it is: no buckets, sum or count to add.
            if sample.histogram != nil {
                out.samples.append(sample)
                continue
            }
            let name = sample.labels.metricName
            let suffix = name.hasPrefix(self.name) ? name.dropFirst(self.name.count) : Substring(name)
            let isBound = bounded == "le" ? suffix == "_bucket" : suffix.isEmpty
            let base = sample.labels.removing([LabelName.metricName, bounded])
            if parts[base] == nil {
                parts[base] = Parts(base: base)
                order.append(base)
            }
            if isBound {
                let text = sample.labels[bounded]
                guard let bound = Self.number(text) else {
                    throw ExpositionError(line: 0, message: "\(self.name): \(bounded)=\"\(text.prefix(50))\" is not a number")
                }
                if bound == .infinity { parts[base]?.hasInfinity = true }
                var b = LabelsBuilder(sample.labels)
                b[bounded] = GoFloat.general(bound)
                sample.labels = b.labels()
            } else if suffix == "_sum" {
                parts[base]?.hasSum = true
            } else if suffix == "_count" {
                parts[base]?.count = sample.value
            }
            out.samples.append(sample)
        }
        func series(_ base: Labels, _ suffix: String, _ extra: Label? = nil) -> Labels {
            var b = LabelsBuilder(base)
            b[LabelName.metricName] = name + suffix
            if let extra { b[extra.name] = extra.value }
            return b.labels()
        }
        for base in order {
            guard let p = parts[base] else { continue }
            if bounded == "le", !p.hasInfinity {
                out.samples.append(Sample(labels: series(base, "_bucket", Label("le", "+Inf")), value: p.count ?? 0))
            }
            if !p.hasSum { out.samples.append(Sample(labels: series(base, "_sum"), value: 0)) }
            if p.count == nil { out.samples.append(Sample(labels: series(base, "_count"), value: 0)) }
        }
        return out
    }

    /// A bound as Go reads it: a float, `+Inf`/`-Inf`/`Inf` and `NaN` in any case.
    static func number(_ text: String) -> Double? {
        switch text.lowercased() {
        case "+inf", "inf", "+infinity", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default:
            guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D || $0 == 0x65 || $0 == 0x45 }) else { return nil }
            return Double(text)
        }
    }
}
