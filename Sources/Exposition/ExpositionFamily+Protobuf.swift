import MetricModel
import SwiftProtobuf

extension ExpositionFamily {
    /// Reads the delimited protobuf format: `MetricFamily` messages, each after its length as a
    /// varint. Classic histograms and summaries become their `_bucket`/`quantile`, `_sum` and
    /// `_count` series, bounds written as Go writes them (`le="1e+06"`), a missing `+Inf` bucket
    /// added from the count. A histogram sent only in native form keeps its count and sum (and
    /// the `+Inf` bucket) unless `nativeHistograms` asks for it as a native histogram sample; with
    /// `classicHistograms` its classic buckets (if any) are kept beside it.
    static func decodeDelimitedProtobuf(_ body: [UInt8], nativeHistograms: Bool = false, classicHistograms: Bool = false) throws(ExpositionError) -> [ExpositionFamily] {
        var families: [ExpositionFamily] = []
        var position = 0
        while position < body.count {
            let ordinal = families.count + 1
            guard let (length, afterLength) = readVarint(body, at: position) else {
                throw ExpositionError(line: 0, message: "metric family #\(ordinal): truncated length prefix")
            }
            guard length <= UInt64(body.count - afterLength) else {
                throw ExpositionError(line: 0, message: "metric family #\(ordinal): length \(length) runs past the end of the body")
            }
            let end = afterLength + Int(length)
            let message: ExposedMetricFamily
            do {
                message = try ExposedMetricFamily(serializedBytes: Array(body[afterLength..<end]))
            } catch {
                throw ExpositionError(line: 0, message: "metric family #\(ordinal): invalid protobuf message (\(error))")
            }
            families.append(try family(message, ordinal: ordinal, nativeHistograms: nativeHistograms, classicHistograms: classicHistograms))
            position = end
        }
        return families
    }

    /// A varint of at most 10 bytes at `position`, and the index after it.
    static func readVarint(_ bytes: [UInt8], at position: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = position
        while i < bytes.count, shift < 64 {
            let b = bytes[i]
            value |= UInt64(b & 0x7F) << shift
            i += 1
            if b & 0x80 == 0 { return (value, i) }
            shift += 7
        }
        return nil
    }

    /// A scrape's body in the delimited protobuf format: native histograms come out as histogram
    /// samples (see ``decodeDelimitedProtobuf(_:nativeHistograms:classicHistograms:)``).
    public static func decodeProtobuf(_ body: [UInt8], nativeHistograms: Bool, classicHistograms: Bool) throws(ExpositionError) -> [ExpositionFamily] {
        try decodeDelimitedProtobuf(body, nativeHistograms: nativeHistograms, classicHistograms: classicHistograms)
    }

    private static func family(_ message: ExposedMetricFamily, ordinal: Int, nativeHistograms: Bool, classicHistograms: Bool) throws(ExpositionError) -> ExpositionFamily {
        let name = message.name
        func fail(_ what: String) -> ExpositionError {
            ExpositionError(line: 0, message: "metric family #\(ordinal) \"\(name.prefix(100))\": \(what)")
        }
        // Names may be any UTF-8 (the message's strings are valid UTF-8), as in Prometheus 3; a
        // scrape under the legacy validation scheme refuses other names later.
        guard !name.isEmpty else { throw fail("empty metric name") }
        let type: MetricType
        switch message.type {
        case .counter: type = .counter
        case .gauge: type = .gauge
        case .summary: type = .summary
        case .untyped: type = .unknown
        case .histogram: type = .histogram
        case .gaugeHistogram: type = .gaugehistogram
        }
        var family = ExpositionFamily(name: name, type: type, help: message.hasHelp ? message.help : nil,
                                      unit: message.hasUnit && !message.unit.isEmpty ? message.unit : nil)
        for metric in message.metric {
            var base: [Label] = []
            base.reserveCapacity(metric.label.count + 2)
            for pair in metric.label {
                guard !pair.name.isEmpty, pair.name != LabelName.metricName else {
                    throw fail("invalid label name \"\(pair.name.prefix(100))\"")
                }
                if (type == .histogram || type == .gaugehistogram) && pair.name == "le" || type == .summary && pair.name == "quantile" {
                    throw fail("label \"\(pair.name)\" is reserved for the \(type.rawValue)'s series")
                }
                if !pair.value.isEmpty { base.append(Label(pair.name, pair.value)) }
            }
            let sortedNames = base.map(\.name).sorted()
            for k in sortedNames.indices.dropFirst() where sortedNames[k] == sortedNames[k - 1] {
                throw fail("duplicate label name \"\(sortedNames[k])\"")
            }
            let timestamp: Int64? = metric.hasTimestampMs ? metric.timestampMs : nil
            func add(_ series: String, _ value: Double, extra: Label? = nil) {
                var pairs = base
                pairs.append(Label(LabelName.metricName, series))
                if let extra { pairs.append(extra) }
                family.samples.append(Sample(labels: Labels(pairs), value: value, timestamp: timestamp))
            }
            switch type {
            case .counter:
                guard metric.hasCounter else { throw fail("a counter's metric carries no counter value") }
                add(name, metric.counter.value)
            case .gauge:
                guard metric.hasGauge else { throw fail("a gauge's metric carries no gauge value") }
                add(name, metric.gauge.value)
            case .unknown:
                guard metric.hasUntyped else { throw fail("an untyped metric carries no untyped value") }
                add(name, metric.untyped.value)
            case .summary:
                guard metric.hasSummary else { throw fail("a summary's metric carries no summary") }
                let s = metric.summary
                for q in s.quantile {
                    add(name, q.value, extra: Label("quantile", GoFloat.general(q.quantile)))
                }
                add(name + "_sum", s.sampleSum)
                add(name + "_count", Double(s.sampleCount))
            case .histogram, .gaugehistogram:
                guard metric.hasHistogram else { throw fail("a histogram's metric carries no histogram") }
                let h = metric.histogram
                if nativeHistograms, h.isNative {
                    var pairs = base
                    pairs.append(Label(LabelName.metricName, name))
                    family.samples.append(Sample(labels: Labels(pairs), value: 0, timestamp: timestamp, histogram: h.nativeValue(gauge: type == .gaugehistogram)))
                    // The classic buckets too only when asked for (and exposed): the native form
                    // holds the count and sum.
                    guard classicHistograms, !h.bucket.isEmpty else { continue }
                }
                let count = h.hasSampleCountFloat && !h.hasSampleCount ? h.sampleCountFloat : Double(h.sampleCount)
                var sawInfinity = false
                var previousBound = -Double.infinity
                for bucket in h.bucket {
                    let bound = bucket.upperBound
                    guard !bound.isNaN, bound > previousBound else { throw fail("bucket bounds are not increasing") }
                    previousBound = bound
                    if bound == .infinity { sawInfinity = true }
                    let cumulative = bucket.hasCumulativeCountFloat && !bucket.hasCumulativeCount
                        ? bucket.cumulativeCountFloat : Double(bucket.cumulativeCount)
                    add(name + "_bucket", cumulative, extra: Label("le", GoFloat.general(bound)))
                }
                if !sawInfinity {
                    add(name + "_bucket", count, extra: Label("le", "+Inf"))
                    family.samples[family.samples.count - 1].isImpliedBucket = true
                }
                add(name + "_sum", h.sampleSum)
                add(name + "_count", count)
            case .info, .stateset:
                break // not in the protobuf format's type enum
            }
        }
        return family
    }
}
