import MetricModel

extension ExposedHistogram {
    /// Whether the histogram is exposed in native form: it has spans, a zero threshold or zero
    /// observations in its zero bucket (an empty native histogram carries one empty span, so it
    /// is told apart from a classic one without buckets).
    var isNative: Bool {
        !positiveSpan.isEmpty || !negativeSpan.isEmpty || zeroThreshold > 0 || zeroCount > 0 || zeroCountFloat > 0
    }

    /// The native histogram: float counts when the float count is set (and positive), integer
    /// counts otherwise; a gauge histogram says so in its hint.
    func nativeValue(gauge: Bool) -> HistogramValue {
        HistogramValue(HistogramValue.WireFields(
            floatCounts: sampleCountFloat > 0, counterResetHint: gauge ? .gauge : .unknown,
            schema: schema, zeroThreshold: zeroThreshold, sum: sampleSum, countInt: sampleCount, countFloat: sampleCountFloat,
            zeroCountInt: zeroCount, zeroCountFloat: zeroCountFloat,
            positiveSpans: positiveSpan.map { HistogramSpan(offset: $0.offset, length: $0.length) },
            positiveDeltas: positiveDelta, positiveCounts: positiveCount,
            negativeSpans: negativeSpan.map { HistogramSpan(offset: $0.offset, length: $0.length) },
            negativeDeltas: negativeDelta, negativeCounts: negativeCount))
    }
}
