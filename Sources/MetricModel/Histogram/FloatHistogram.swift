/// A native histogram with float counts: what queries compute (rates, sums, averages of
/// histograms are fractional) and what float histogram chunks store. Bucket counts are absolute.
public struct FloatHistogram: Sendable, Hashable {
    public var counterResetHint: HistogramCounterResetHint = .unknown
    public var schema: Int32 = 0
    public var zeroThreshold: Double = 0
    public var zeroCount: Double = 0
    public var count: Double = 0
    public var sum: Double = 0
    public var positiveSpans: [HistogramSpan] = []
    public var negativeSpans: [HistogramSpan] = []
    /// One absolute count per bucket the positive spans list.
    public var positiveBuckets: [Double] = []
    public var negativeBuckets: [Double] = []
    /// Upper bounds of the custom buckets (schema ``NativeHistogram/customBucketsSchema`` only).
    public var customValues: [Double] = []

    public init(counterResetHint: HistogramCounterResetHint = .unknown, schema: Int32, zeroThreshold: Double = 0, zeroCount: Double = 0,
                count: Double, sum: Double, positiveSpans: [HistogramSpan] = [], positiveBuckets: [Double] = [],
                negativeSpans: [HistogramSpan] = [], negativeBuckets: [Double] = [], customValues: [Double] = []) {
        self.counterResetHint = counterResetHint
        self.schema = schema
        self.zeroThreshold = zeroThreshold
        self.zeroCount = zeroCount
        self.count = count
        self.sum = sum
        self.positiveSpans = positiveSpans
        self.positiveBuckets = positiveBuckets
        self.negativeSpans = negativeSpans
        self.negativeBuckets = negativeBuckets
        self.customValues = customValues
    }

    /// Bit-for-bit equality of every float (so NaN sums and stale markers compare equal to
    /// themselves), as a storage round trip must preserve them.
    public func isIdentical(to other: FloatHistogram) -> Bool {
        func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern } }
        return counterResetHint == other.counterResetHint && schema == other.schema && zeroThreshold.bitPattern == other.zeroThreshold.bitPattern
            && zeroCount.bitPattern == other.zeroCount.bitPattern && count.bitPattern == other.count.bitPattern && sum.bitPattern == other.sum.bitPattern
            && positiveSpans == other.positiveSpans && negativeSpans == other.negativeSpans
            && same(positiveBuckets, other.positiveBuckets) && same(negativeBuckets, other.negativeBuckets) && same(customValues, other.customValues)
    }
}
