import Foundation

/// `histogram_quantile` over classic buckets: plain arithmetic on (upper bound, cumulative
/// count) pairs, no evaluator needed.
enum BucketQuantile {
    static func parseBound(_ s: String) -> Double? {
        switch s.lowercased() {
        case "+inf", "inf": return .infinity
        case "-inf": return -.infinity
        default: return nil
        }
    }

    static func bucketQuantile(_ q: Double, _ raw: [(upper: Double, count: Double)]) -> Double {
        bucketQuantileChecked(q, raw).value
    }

    /// The quantile, and whether the bucket counts had to be made monotonic first.
    static func bucketQuantileChecked(_ q: Double, _ raw: [(upper: Double, count: Double)]) -> (value: Double, fixed: Bool) {
        if q.isNaN { return (.nan, false) }
        if q < 0 { return (-.infinity, false) }
        if q > 1 { return (.infinity, false) }
        var buckets = raw.sorted { $0.upper < $1.upper }
        guard let last = buckets.last, last.upper == .infinity else { return (.nan, false) }
        // Coalesce equal bounds, then force monotonic counts.
        var merged: [(upper: Double, count: Double)] = []
        for b in buckets {
            if let l = merged.last, l.upper == b.upper { merged[merged.count - 1].count += b.count } else { merged.append(b) }
        }
        buckets = merged
        var maxCount = -Double.infinity
        var fixed = false
        for i in buckets.indices {
            if buckets[i].count >= maxCount {
                maxCount = buckets[i].count
            } else {
                buckets[i].count = maxCount
                fixed = true
            }
        }
        guard buckets.count >= 2 else { return (.nan, fixed) }
        let observations = buckets[buckets.count - 1].count
        guard observations > 0 else { return (.nan, fixed) }
        var rank = q * observations
        let b = buckets.firstIndex { $0.count >= rank } ?? buckets.count - 1
        if b == buckets.count - 1 { return (buckets[buckets.count - 2].upper, fixed) }
        if b == 0 && buckets[0].upper <= 0 { return (buckets[0].upper, fixed) }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].upper
        var count = buckets[b].count
        if b > 0 {
            bucketStart = buckets[b - 1].upper
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return (bucketStart + (bucketEnd - bucketStart) * (rank / count), fixed)
    }
}
