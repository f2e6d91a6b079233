import MetricModel

/// An OTLP exponential histogram point as the native histogram Prometheus makes of it.
///
/// The scale is the schema; scales above 8 (finer than Prometheus keeps) are brought down to 8
/// by merging neighbouring buckets, scales below -4 are refused. OTLP's bucket `i` holds
/// (base^i, base^(i+1)], Prometheus' bucket `i` holds (base^(i-1), base^i], so indexes shift by
/// one. Buckets become spans with deltas; runs of at most two empty buckets stay inside a span
/// (cheaper than a new span), longer runs start a new one. A point flagged "no recorded value"
/// becomes a staleness marker.
enum OTLPExponentialHistogram {
    static let finestScale: Int32 = 8
    static let coarsestScale: Int32 = -4

    /// The native histogram, or why the point is refused.
    static func nativeHistogram(_ point: Vigil_Otlp_V1_ExponentialHistogramDataPoint) -> Result<NativeHistogram, Refusal> {
        if OTLPTranslator.isStale(point.flags) { return .success(NativeHistogram(schema: 0, count: 0, sum: StaleNaN.value)) }
        guard point.scale >= coarsestScale else { return .failure(Refusal("scale \(point.scale) is below -4, the coarsest native histograms have")) }
        let scaleDown = point.scale > finestScale ? point.scale - finestScale : 0
        guard let positive = layout(point.positive, scaleDown: scaleDown), let negative = layout(point.negative, scaleDown: scaleDown) else {
            return .failure(Refusal("bucket indexes leave the range native histograms hold"))
        }
        return .success(NativeHistogram(schema: point.scale - scaleDown, zeroThreshold: point.zeroThreshold, zeroCount: point.zeroCount,
                                        count: point.count, sum: point.hasSum ? point.sum : 0,
                                        positiveSpans: positive.spans, positiveDeltas: positive.deltas,
                                        negativeSpans: negative.spans, negativeDeltas: negative.deltas))
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Spans and deltas of one side: OTLP buckets merged `scaleDown` times (index i goes to
    /// floor(i / 2^scaleDown)), shifted to Prometheus' indexes. Nil when an index or a count
    /// leaves the 32- and 63-bit ranges the format holds.
    static func layout(_ buckets: Vigil_Otlp_V1_ExponentialHistogramDataPoint.Buckets, scaleDown: Int32) -> (spans: [HistogramSpan], deltas: [Int64])? {
        // Merged counts by Prometheus index, ascending.
        var merged: [(index: Int64, count: UInt64)] = []
        for (i, count) in buckets.bucketCounts.enumerated() {
            let otlpIndex = Int64(buckets.offset) + Int64(i)
            let index = (otlpIndex >> Int64(min(scaleDown, 62))) + 1
            if let last = merged.last, last.index == index {
                let (sum, overflow) = last.count.addingReportingOverflow(count)
                guard !overflow else { return nil }
                merged[merged.count - 1].count = sum
            } else {
                merged.append((index, count))
            }
        }
        var spans: [HistogramSpan] = []
        var deltas: [Int64] = []
        var previousCount: Int64 = 0
        var nextIndex: Int64 = 0  // the index after the last one in a span
        for (index, count) in merged {
            guard count > 0 else { continue }
            guard let value = Int64(exactly: count), let _ = Int32(exactly: index) else { return nil }
            if spans.isEmpty {
                spans.append(HistogramSpan(offset: Int32(index), length: 1))
            } else {
                let gap = index - nextIndex
                if gap <= 2 {
                    // Empty buckets inside the span: zero counts, as deltas to the count before.
                    for _ in 0..<gap {
                        deltas.append(-previousCount)
                        previousCount = 0
                    }
                    spans[spans.count - 1].length += UInt32(gap) + 1
                } else {
                    guard let offset = Int32(exactly: gap) else { return nil }
                    spans.append(HistogramSpan(offset: offset, length: 1))
                }
            }
            deltas.append(value &- previousCount)
            previousCount = value
            nextIndex = index + 1
        }
        return (spans, deltas)
    }
}
