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
        let hint: HistogramCounterResetHint = gauge ? .gauge : .unknown
        let positive = positiveSpan.map { HistogramSpan(offset: $0.offset, length: $0.length) }
        let negative = negativeSpan.map { HistogramSpan(offset: $0.offset, length: $0.length) }
        if sampleCountFloat > 0 {
            return .float(FloatHistogram(counterResetHint: hint, schema: schema, zeroThreshold: zeroThreshold, zeroCount: zeroCountFloat,
                                         count: sampleCountFloat, sum: sampleSum, positiveSpans: positive, positiveBuckets: positiveCount,
                                         negativeSpans: negative, negativeBuckets: negativeCount))
        }
        return .integer(NativeHistogram(counterResetHint: hint, schema: schema, zeroThreshold: zeroThreshold, zeroCount: zeroCount,
                                        count: sampleCount, sum: sampleSum, positiveSpans: positive, positiveDeltas: positiveDelta,
                                        negativeSpans: negative, negativeDeltas: negativeDelta))
    }
}
