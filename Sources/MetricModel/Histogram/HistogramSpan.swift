/// A run of consecutive buckets of a native histogram: `offset` bucket indices after the end of
/// the previous span (for the first span, the index of its first bucket), then `length` buckets.
/// Spans keep sparse histograms small: only the populated stretches of the index line are listed.
public struct HistogramSpan: Sendable, Hashable {
    public var offset: Int32
    public var length: UInt32

    public init(offset: Int32, length: UInt32) {
        self.offset = offset
        self.length = length
    }
}

extension Array where Element == HistogramSpan {
    /// How many buckets the spans describe.
    public var bucketCount: Int { reduce(0) { $0 + Int($1.length) } }

    /// More buckets than one side of any histogram has: at schema 8, 256 buckets per power of
    /// two over the about 2,100 powers of two of the float range make some 540,000.
    public static var maximumBuckets: Int { 1 << 21 }

    /// The bucket index of every bucket the spans describe, in order; nil when the offsets run
    /// outside the 32-bit index line or the spans list more than ``maximumBuckets`` (only hostile
    /// input does), so hostile lengths never allocate.
    public var bucketIndices: [Int32]? {
        guard bucketCount <= Self.maximumBuckets else { return nil }
        var out: [Int32] = []
        out.reserveCapacity(bucketCount)
        var next: Int64 = 0
        for span in self {
            next += Int64(span.offset)
            if span.length > 0 {
                guard next >= Int64(Int32.min), next + Int64(span.length) <= Int64(Int32.max) + 1 else { return nil }
            }
            for k in 0..<Int64(span.length) { out.append(Int32(next + k)) }
            next += Int64(span.length)
        }
        return out
    }

    /// The shortest spans listing `indices` (ascending, distinct): a gap of any size starts a
    /// new span.
    public static func covering(_ indices: [Int32]) -> [HistogramSpan] {
        var spans: [HistogramSpan] = []
        var end: Int64 = 0
        for index in indices {
            let i = Int64(index)
            if let last = spans.indices.last, i == end {
                spans[last].length += 1
            } else {
                spans.append(HistogramSpan(offset: Int32(truncatingIfNeeded: i - end), length: 1))
            }
            end = i + 1
        }
        return spans
    }

    /// `counts` (one per bucket of these spans) placed on the buckets of `wider`, zero where
    /// these spans list no bucket; nil when `wider` lacks one of these buckets or the counts do
    /// not match the spans.
    public func spread<C: AdditiveArithmetic>(_ counts: [C], onto wider: [HistogramSpan]) -> [C]? {
        if self == wider { return counts.count == bucketCount ? counts : nil }
        guard let own = bucketIndices, let target = wider.bucketIndices, own.count == counts.count else { return nil }
        var out = [C](repeating: .zero, count: target.count)
        var k = 0
        for (i, index) in target.enumerated() where k < own.count && own[k] == index {
            out[i] = counts[k]
            k += 1
        }
        return k == own.count ? out : nil
    }
}
