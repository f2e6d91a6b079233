extension FloatHistogram {
    /// Why the histogram cannot be stored, or nil when it is sound: a schema Prometheus does not
    /// define, spans and buckets of different lengths, negative or NaN counts, or custom buckets
    /// without ascending bounds or with buckets outside them. Unlike ``NativeHistogram/inconsistency``, the count is not checked
    /// against its buckets' sum: float counts (rates, averages) carry rounding.
    public var inconsistency: String? {
        guard NativeHistogram.exponentialSchemas.contains(schema) || schema == NativeHistogram.customBucketsSchema else { return "schema \(schema) is not defined" }
        guard positiveSpans.bucketCount == positiveBuckets.count else { return "positive spans list \(positiveSpans.bucketCount) buckets, \(positiveBuckets.count) given" }
        guard negativeSpans.bucketCount == negativeBuckets.count else { return "negative spans list \(negativeSpans.bucketCount) buckets, \(negativeBuckets.count) given" }
        guard positiveSpans.bucketIndices != nil, negativeSpans.bucketIndices != nil else { return "span offsets leave the bucket index range" }
        if schema == NativeHistogram.customBucketsSchema {
            guard negativeSpans.isEmpty, zeroCount == 0 else { return "custom buckets have no negative or zero buckets" }
            // No bounds at all is one bucket reaching from -Inf to +Inf.
            guard zip(customValues, customValues.dropFirst()).allSatisfy({ $0 < $1 }) else { return "custom bucket bounds must be ascending" }
            // Bucket i ends at bound i; the one past the last bound is the +Inf bucket, and none lies beyond.
            let indices = positiveSpans.bucketIndices ?? []
            guard (indices.first ?? 0) >= 0, Int(indices.last ?? 0) <= customValues.count else {
                return "custom buckets lie outside their \(customValues.count) bounds"
            }
        } else {
            guard zeroThreshold >= 0, !zeroThreshold.isNaN else { return "zero threshold \(zeroThreshold) is negative" }
        }
        guard zeroCount >= 0, count >= 0 else { return "a count is negative or NaN" }
        guard positiveBuckets.allSatisfy({ $0 >= 0 }), negativeBuckets.allSatisfy({ $0 >= 0 }) else { return "a bucket count is negative or NaN" }
        return nil
    }
}
