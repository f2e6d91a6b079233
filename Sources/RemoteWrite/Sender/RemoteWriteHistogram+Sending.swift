import MetricModel

extension Vigil_Remotewrite_V1_Histogram {
    /// The message for a histogram sample at `t`: integer counts as `count_int`, zero count and
    /// bucket deltas; float counts as `count_float`, zero count and absolute bucket counts.
    init(_ value: HistogramValue, t: Int64) {
        self.init()
        timestamp = t
        switch value {
        case .integer(let h):
            countInt = h.count
            zeroCountInt = h.zeroCount
            sum = h.sum
            schema = h.schema
            zeroThreshold = h.zeroThreshold
            positiveSpans = h.positiveSpans.map(Self.span)
            positiveDeltas = h.positiveDeltas
            negativeSpans = h.negativeSpans.map(Self.span)
            negativeDeltas = h.negativeDeltas
            customValues = h.customValues
            resetHint = Self.hint(h.counterResetHint)
        case .float(let h):
            countFloat = h.count
            zeroCountFloat = h.zeroCount
            sum = h.sum
            schema = h.schema
            zeroThreshold = h.zeroThreshold
            positiveSpans = h.positiveSpans.map(Self.span)
            positiveCounts = h.positiveBuckets
            negativeSpans = h.negativeSpans.map(Self.span)
            negativeCounts = h.negativeBuckets
            customValues = h.customValues
            resetHint = Self.hint(h.counterResetHint)
        }
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
