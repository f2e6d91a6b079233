import MetricModel

extension Vigil_Remotewrite_V1_Histogram {
    /// The message for a histogram sample at `t`: integer counts as `count_int`, zero count and
    /// bucket deltas; float counts as `count_float`, zero count and absolute bucket counts.
    init(_ value: HistogramValue, t: Int64) {
        self.init()
        timestamp = t
        let f = value.wireFields
        if f.floatCounts {
            countFloat = f.countFloat
            zeroCountFloat = f.zeroCountFloat
            positiveCounts = f.positiveCounts
            negativeCounts = f.negativeCounts
        } else {
            countInt = f.countInt
            zeroCountInt = f.zeroCountInt
            positiveDeltas = f.positiveDeltas
            negativeDeltas = f.negativeDeltas
        }
        sum = f.sum
        schema = f.schema
        zeroThreshold = f.zeroThreshold
        positiveSpans = f.positiveSpans.map(Self.span)
        negativeSpans = f.negativeSpans.map(Self.span)
        customValues = f.customValues
        resetHint = Self.hint(f.counterResetHint)
    }

    private static func span(_ s: HistogramSpan) -> Vigil_Remotewrite_V1_BucketSpan {
        var out = Vigil_Remotewrite_V1_BucketSpan()
        out.offset = s.offset
        out.length = s.length
        return out
    }

    private static func hint(_ h: HistogramCounterResetHint) -> ResetHint {
        switch h {
        case .unknown: return .unknown
        case .counterReset: return .yes
        case .notCounterReset: return .no
        case .gauge: return .gauge
        }
    }
}
