import MetricModel

extension ExposedHistogram {
    /// A native histogram in the exposition's protobuf form, the inverse of ``nativeValue(gauge:)``:
    /// integer counts as bucket deltas, float counts as absolute counts. A histogram without any
    /// span gets one empty span, which marks it native for readers (as client libraries do).
    package init(native value: HistogramValue) {
        self.init()
        let f = value.wireFields
        schema = f.schema
        zeroThreshold = f.zeroThreshold
        sampleSum = f.sum
        if f.floatCounts {
            sampleCountFloat = f.countFloat
            zeroCountFloat = f.zeroCountFloat
            positiveCount = f.positiveCounts
            negativeCount = f.negativeCounts
        } else {
            sampleCount = f.countInt
            zeroCount = f.zeroCountInt
            positiveDelta = f.positiveDeltas
            negativeDelta = f.negativeDeltas
        }
        positiveSpan = f.positiveSpans.map(Self.span)
        negativeSpan = f.negativeSpans.map(Self.span)
        if positiveSpan.isEmpty && negativeSpan.isEmpty { positiveSpan = [Self.span(HistogramSpan(offset: 0, length: 0))] }
    }

    private static func span(_ s: HistogramSpan) -> ExposedBucketSpan {
        var out = ExposedBucketSpan()
        out.offset = s.offset
        out.length = s.length
        return out
    }
}
