import Foundation
import MetricModel

/// What PromQL estimates from a native histogram's buckets: quantiles, the share of
/// observations between two values, and how widely observations spread.
///
/// Inside a bucket, observations are assumed spread evenly on a logarithmic scale for the
/// exponential schemas (so the middle of (1, 2] is √2, where the bucket boundary would be one
/// schema finer) and on a linear one for custom buckets and the zero bucket.
extension FloatHistogram {
    /// Whether the histogram has custom bucket bounds (schema -53) rather than exponential ones.
    var usesCustomBuckets: Bool { schema == NativeHistogram.customBucketsSchema }

    /// Every bucket of the spans, empty ones included, in ascending order; the zero bucket when it
    /// holds observations. Empty when the spans do not describe the buckets.
    package var allBuckets: [HistogramBucket<Double>] {
        guard let p = positiveSpans.bucketIndices, let n = negativeSpans.bucketIndices,
              p.count == positiveBuckets.count, n.count == negativeBuckets.count else { return [] }
        return HistogramBounds.buckets(schema: schema, zeroThreshold: zeroThreshold, customValues: customValues,
                                       zero: zeroCount != 0 ? zeroCount : nil,
                                       positive: Array(zip(p, positiveBuckets)), negative: Array(zip(n, negativeBuckets)))
    }

    /// A classic histogram's (upper bound, cumulative count) pairs as a histogram with custom
    /// buckets; nil without buckets, or without a `+Inf` bucket when `requiringInfinity` (queries
    /// need one; loading test data does not). Equal bounds are merged, and a count below the one
    /// before it is taken as that one (as histogram_quantile repairs such input).
    init?(classicBuckets raw: [(upper: Double, count: Double)], requiringInfinity: Bool = true) {
        let sorted = raw.sorted { $0.upper < $1.upper }
        guard let last = sorted.last, last.upper == .infinity || !requiringInfinity else { return nil }
        var bounds: [Double] = [], cumulative: [Double] = []
        for b in sorted {
            if let previous = bounds.last, previous == b.upper {
                cumulative[cumulative.count - 1] = Swift.max(cumulative[cumulative.count - 1], b.count)
            } else {
                bounds.append(b.upper)
                cumulative.append(Swift.max(b.count, cumulative.last ?? b.count))
            }
        }
        var counts: [Double] = []
        for (i, c) in cumulative.enumerated() { counts.append(i == 0 ? c : c - cumulative[i - 1]) }
        self.init(schema: NativeHistogram.customBucketsSchema, count: cumulative[cumulative.count - 1], sum: 0,
                  positiveSpans: [HistogramSpan(offset: 0, length: UInt32(counts.count))], positiveBuckets: counts,
                  customValues: last.upper == .infinity ? Array(bounds.dropLast()) : bounds)
    }

    /// A bucket's bounds for interpolation. The zero bucket, with buckets on one side only, is
    /// taken to reach from zero to its edge on that side; a first custom bucket reaching up from
    /// -Inf to a positive bound starts at zero.
    private func interpolationBounds(_ b: HistogramBucket<Double>) -> (lower: Double, upper: Double) {
        if usesCustomBuckets { return b.lower == -.infinity && b.upper > 0 ? (0, b.upper) : (b.lower, b.upper) }
        guard b.lower < 0, b.upper > 0 else { return (b.lower, b.upper) }
        if negativeBuckets.isEmpty && !positiveBuckets.isEmpty { return (0, b.upper) }
        if positiveBuckets.isEmpty && !negativeBuckets.isEmpty { return (b.lower, 0) }
        return (b.lower, b.upper)
    }

    /// The value at `fraction` (0...1) of the way through a bucket from `lower` to `upper`.
    private func interpolate(_ lower: Double, _ upper: Double, _ fraction: Double) -> Double {
        if usesCustomBuckets || (lower <= 0 && upper >= 0) { return lower + (upper - lower) * fraction }
        let logLower = log2(abs(lower)), logUpper = log2(abs(upper))
        if lower > 0 { return exp2(logLower + (logUpper - logLower) * fraction) }
        // A negative bucket: the same on the mirrored side.
        return -exp2(logUpper + (logLower - logUpper) * (1 - fraction))
    }

    /// The estimated `q`-quantile of the observations: -Inf below 0, +Inf above 1, NaN without
    /// observations.
    package func quantile(_ q: Double) -> Double {
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        if count == 0 || q.isNaN { return .nan }
        let buckets = allBuckets
        guard !buckets.isEmpty else { return .nan }
        // Upper quantiles are counted from the top, where their buckets are, unless NaN
        // observations (a NaN sum) make the count larger than the buckets' total.
        let fromTop = !sum.isNaN && q >= 0.5
        var rank = fromTop ? (1 - q) * count : q * count
        var seen = 0.0
        var k = fromTop ? buckets.count - 1 : 0
        var bucket = buckets[k]
        while true {
            bucket = buckets[k]
            if bucket.count != 0 {
                seen += bucket.count
                if seen >= rank { break }
            }
            k += fromTop ? -1 : 1
            if k < 0 || k == buckets.count { break }
        }
        var (lower, upper) = interpolationBounds(bucket)
        if usesCustomBuckets {
            if lower == -.infinity {
                if upper <= 0 { return upper }
                lower = 0
            } else if upper == .infinity {
                return lower
            }
        }
        seen = min(seen, count)
        // Only NaN observations leave the rank unreached: the highest bucket's bound is the answer.
        if seen < rank { return upper }
        rank = fromTop ? seen - rank : rank - (seen - bucket.count)
        return interpolate(lower, upper, rank / bucket.count)
    }

    /// The estimated share of observations between `lower` and `upper`; NaN without
    /// observations or with a NaN bound, 0 when `lower >= upper`.
    func fraction(between lower: Double, and upper: Double) -> Double {
        if count == 0 || lower.isNaN || upper.isNaN { return .nan }
        if lower >= upper { return 0 }
        var rank = 0.0
        var lowerRank: Double?, upperRank: Double?
        for b in allBuckets {
            let (bLower, bUpper) = interpolationBounds(b)
            let linear = usesCustomBuckets || (b.lower <= 0 && b.upper >= 0)
            func rankAt(_ v: Double) -> Double {
                // An infinitely wide bucket's observations are taken to lie at its infinite end.
                if bLower == -.infinity { return rank + b.count }
                if bUpper == .infinity { return rank }
                if linear { return rank + b.count * (v - bLower) / (bUpper - bLower) }
                let logLower = log2(abs(bLower)), logUpper = log2(abs(bUpper)), logV = log2(abs(v))
                let f = v > 0 ? (logV - logLower) / (logUpper - logLower) : 1 - (logV - logUpper) / (logLower - logUpper)
                return rank + b.count * f
            }
            // A bound at or below this bucket's start has every bucket below it counted already.
            if lowerRank == nil, bLower >= lower { lowerRank = rank }
            if upperRank == nil, bLower >= upper { upperRank = rank }
            if lowerRank != nil, upperRank != nil { break }
            if lowerRank == nil, bLower < lower, bUpper > lower { lowerRank = rankAt(lower) }
            if upperRank == nil, bLower < upper, bUpper > upper { upperRank = rankAt(upper) }
            if lowerRank != nil, upperRank != nil { break }
            rank += b.count
        }
        let low = min(lowerRank ?? count, count), high = min(upperRank ?? count, count)
        return (high - low) / count
    }

    /// The estimated variance of the observations around their mean (sum / count): each
    /// observation is taken to lie at its bucket's middle — geometric for exponential buckets,
    /// arithmetic for custom ones, zero in the zero bucket.
    var estimatedVariance: Double {
        let mean = sum / count
        var variance = KahanSum()
        for b in allBuckets where b.count != 0 {
            let middle: Double
            if usesCustomBuckets {
                middle = (b.upper + b.lower) / 2
            } else if b.lower <= 0 && b.upper >= 0 {
                middle = 0
            } else {
                let geometric = (b.upper * b.lower).squareRoot()
                middle = b.upper < 0 ? -geometric : geometric
            }
            let delta = middle - mean
            variance.add(b.count * delta * delta)
        }
        return variance.value / count
    }
}
