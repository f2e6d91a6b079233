/// A native (exponential or custom-bucket) histogram with integer counts: what a target
/// exposes through the protobuf format, what remote write carries, and what histogram chunks
/// store. Bucket counts are held as Prometheus holds them on the wire and in chunks: the first
/// bucket of each side absolute, every later one as the difference to the bucket before it.
public struct NativeHistogram: Sendable, Hashable {
    /// The schema in force for standard exponential buckets: -4 (factor 65,536) to 8.
    public static let exponentialSchemas: ClosedRange<Int32> = -4...8
    /// The schema of custom bucket boundaries (``customValues``), Prometheus' NHCB.
    public static let customBucketsSchema: Int32 = -53

    public var counterResetHint: HistogramCounterResetHint = .unknown
    /// Bucket resolution: each power of two holds 2^schema buckets; bucket `i` on the positive
    /// side covers (2^((i-1)/2^schema), 2^(i/2^schema)].
    public var schema: Int32 = 0
    /// Observations with an absolute value at most this fall in the zero bucket.
    public var zeroThreshold: Double = 0
    public var zeroCount: UInt64 = 0
    /// All observations, NaN ones included (those land in no bucket).
    public var count: UInt64 = 0
    public var sum: Double = 0
    public var positiveSpans: [HistogramSpan] = []
    public var negativeSpans: [HistogramSpan] = []
    /// One entry per bucket the positive spans list: the first absolute, the rest deltas.
    public var positiveDeltas: [Int64] = []
    public var negativeDeltas: [Int64] = []
    /// Upper bounds of the custom buckets (schema ``customBucketsSchema`` only).
    public var customValues: [Double] = []

    public init(counterResetHint: HistogramCounterResetHint = .unknown, schema: Int32, zeroThreshold: Double = 0, zeroCount: UInt64 = 0,
                count: UInt64, sum: Double, positiveSpans: [HistogramSpan] = [], positiveDeltas: [Int64] = [],
                negativeSpans: [HistogramSpan] = [], negativeDeltas: [Int64] = [], customValues: [Double] = []) {
        self.counterResetHint = counterResetHint
        self.schema = schema
        self.zeroThreshold = zeroThreshold
        self.zeroCount = zeroCount
        self.count = count
        self.sum = sum
        self.positiveSpans = positiveSpans
        self.positiveDeltas = positiveDeltas
        self.negativeSpans = negativeSpans
        self.negativeDeltas = negativeDeltas
        self.customValues = customValues
    }

    /// The absolute bucket counts of one side (deltas summed up, wrapping as Prometheus' int64
    /// arithmetic does so hostile deltas cannot trap).
    public static func absoluteCounts(_ deltas: [Int64]) -> [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(deltas.count)
        var running: Int64 = 0
        for d in deltas {
            running &+= d
            out.append(running)
        }
        return out
    }

    /// Deltas for absolute bucket counts, the inverse of ``absoluteCounts(_:)``.
    public static func deltas(_ counts: [Int64]) -> [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(counts.count)
        var previous: Int64 = 0
        for c in counts {
            out.append(c &- previous)
            previous = c
        }
        return out
    }

    /// The same histogram with float counts (what queries compute with).
    public var floatHistogram: FloatHistogram {
        FloatHistogram(counterResetHint: counterResetHint, schema: schema, zeroThreshold: zeroThreshold, zeroCount: Double(zeroCount),
                       count: Double(count), sum: sum,
                       positiveSpans: positiveSpans, positiveBuckets: Self.absoluteCounts(positiveDeltas).map(Double.init),
                       negativeSpans: negativeSpans, negativeBuckets: Self.absoluteCounts(negativeDeltas).map(Double.init),
                       customValues: customValues)
    }

    /// Why the histogram is inconsistent, or nil when it is sound: a schema Prometheus does not
    /// define, spans and buckets of different lengths, negative bucket counts, custom buckets
    /// with buckets outside their bounds, or a count below the observations in its buckets.
    public var inconsistency: String? {
        guard Self.exponentialSchemas.contains(schema) || schema == Self.customBucketsSchema else { return "schema \(schema) is not defined" }
        guard positiveSpans.bucketCount == positiveDeltas.count else { return "positive spans list \(positiveSpans.bucketCount) buckets, \(positiveDeltas.count) given" }
        guard negativeSpans.bucketCount == negativeDeltas.count else { return "negative spans list \(negativeSpans.bucketCount) buckets, \(negativeDeltas.count) given" }
        guard positiveSpans.bucketIndices != nil, negativeSpans.bucketIndices != nil else { return "span offsets leave the bucket index range" }
        if schema == Self.customBucketsSchema {
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
        var observed = zeroCount
        for side in [positiveDeltas, negativeDeltas] {
            for c in Self.absoluteCounts(side) {
                guard c >= 0 else { return "a bucket count is negative" }
                let (sum, overflow) = observed.addingReportingOverflow(UInt64(c))
                guard !overflow else { return "bucket counts overflow" }
                observed = sum
            }
        }
        // NaN observations count without landing in a bucket, so only a shortfall is wrong.
        guard count >= observed || sum.isNaN else { return "count \(count) is below the \(observed) observations in buckets" }
        return nil
    }
}
