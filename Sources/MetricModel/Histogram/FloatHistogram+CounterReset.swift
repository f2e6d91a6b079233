extension FloatHistogram {
    /// Whether this histogram, following `previous` in a counter series, shows a counter reset:
    /// the hint says so, or some observations are gone — fewer in all, fewer in the zero bucket or
    /// in any bucket (a vanished bucket counts as empty), a finer schema, a narrower zero bucket,
    /// fewer observations up to a custom bound both share, or a wider zero bucket whose edge cuts
    /// into a populated bucket.
    /// `previous` is first brought to this histogram's schema and zero bucket, so a coarser
    /// resolution or a wider zero bucket alone is no reset. A gauge histogram never resets by hint,
    /// but a reader comparing two of them still learns whether counts dropped.
    public func isCounterReset(after previous: FloatHistogram) -> Bool {
        switch counterResetHint {
        case .counterReset: return true
        case .notCounterReset: return false
        case .unknown, .gauge: break
        }
        if count < previous.count { return true }
        let custom = NativeHistogram.customBucketsSchema
        if (schema == custom) != (previous.schema == custom) { return true }
        // Other custom bounds: compared on the bounds both share, as Prometheus 3.5 reconciles them.
        if hasOtherCustomBounds(than: previous) {
            guard let (current, earlier) = reconciled(with: previous) else { return true }
            return current.isCounterReset(after: earlier)
        }
        if schema > previous.schema || zeroThreshold < previous.zeroThreshold { return true }
        let earlier = previous.reduced(toSchema: schema)
        guard let earlierPositive = earlier.positiveSpans.bucketIndices, let earlierNegative = earlier.negativeSpans.bucketIndices,
              let positive = positiveSpans.bucketIndices, let negative = negativeSpans.bucketIndices,
              earlierPositive.count == earlier.positiveBuckets.count, earlierNegative.count == earlier.negativeBuckets.count,
              positive.count == positiveBuckets.count, negative.count == negativeBuckets.count else { return true }
        // What the previous histogram holds in this one's zero bucket: its own zero bucket and
        // every bucket the wider threshold swallows; a bucket the new edge cuts through cannot be
        // split, so the comparison is impossible and counts as a reset.
        var earlierZero = earlier.zeroCount
        var kept: [(side: Int, index: Int32, count: Double)] = []
        for (side, indices, counts) in [(1, earlierPositive, earlier.positiveBuckets), (-1, earlierNegative, earlier.negativeBuckets)] {
            for (index, c) in zip(indices, counts) {
                let upper = HistogramBounds.upper(index: index, schema: schema, customValues: customValues)
                let lower = HistogramBounds.lower(index: index, schema: schema, customValues: customValues)
                if schema != custom, zeroThreshold > previous.zeroThreshold, lower < zeroThreshold {
                    if upper <= zeroThreshold {
                        earlierZero += c
                        continue
                    }
                    if c != 0 { return true }
                }
                kept.append((side, index, c))
            }
        }
        if zeroCount < earlierZero { return true }
        let now = Dictionary(zip(positive, positiveBuckets), uniquingKeysWith: +)
        let nowNegative = Dictionary(zip(negative, negativeBuckets), uniquingKeysWith: +)
        for bucket in kept where bucket.count > 0 {
            let current = (bucket.side > 0 ? now : nowNegative)[bucket.index] ?? 0
            if current < bucket.count { return true }
        }
        return false
    }
}

extension NativeHistogram {
    /// Whether this histogram shows a counter reset after `previous` (see
    /// ``FloatHistogram/isCounterReset(after:)``); counts compare exactly up to 2^53.
    public func isCounterReset(after previous: NativeHistogram) -> Bool {
        if counterResetHint == .counterReset { return true }
        if counterResetHint == .notCounterReset { return false }
        if count < previous.count || (zeroThreshold == previous.zeroThreshold && schema == previous.schema && zeroCount < previous.zeroCount) { return true }
        return floatHistogram.isCounterReset(after: previous.floatHistogram)
    }
}
