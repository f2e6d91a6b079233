import Foundation

/// Kahan–Babuška compensated summation, as Prometheus uses for sums and means.
struct KahanSum {
    var sum = 0.0
    var c = 0.0

    mutating func add(_ v: Double) {
        let t = sum + v
        if t.isInfinite {
            c = 0
        } else if abs(sum) >= abs(v) {
            c += (sum - t) + v
        } else {
            c += (v - t) + sum
        }
        sum = t
    }

    var value: Double { sum + c }

    /// Adds `v` to `(sum, c)` and returns the new pair, for callers that keep the pair themselves.
    static func increment(_ v: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        var k = KahanSum(sum: sum, c: c)
        k.add(v)
        return (k.sum, k.c)
    }
}

/// The mean as Prometheus computes it, one value at a time: compensated summation while the sum
/// stays finite, then an incremental mean so large values do not overflow.
struct MeanAccumulator {
    private var sum = 0.0, c = 0.0, mean = 0.0, count = 0.0
    private var incremental = false

    mutating func add(_ v: Double) {
        count += 1
        if !incremental {
            let (newSum, newC) = KahanSum.increment(v, sum, c)
            if count == 1 || !newSum.isInfinite {
                sum = newSum
                c = newC
                return
            }
            incremental = true
            mean = sum / (count - 1)
            c /= count - 1
        }
        let q = (count - 1) / count
        (mean, c) = KahanSum.increment(v / count, q * mean, q * c)
    }

    var value: Double { incremental ? mean + c : sum / count + c / count }
}

/// Means, variances and quantiles shared by aggregations and `*_over_time` functions.
enum Statistics {
    /// The mean as Prometheus computes it: compensated summation while the sum stays finite,
    /// then an incremental mean so large values do not overflow.
    static func mean(_ values: [Double]) -> Double {
        var m = MeanAccumulator()
        for v in values { m.add(v) }
        return m.value
    }

    static func variance(_ values: [Double]) -> Double {
        var count = 0.0
        var mean = 0.0
        var m2 = 0.0
        for v in values {
            count += 1
            let delta = v - mean
            mean += delta / count
            m2 += delta * (v - mean)
        }
        return m2 / count
    }

    /// The φ-quantile with linear interpolation between the closest ranks.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        // NaN sorts first, as Go's sort.Float64s orders it.
        let sorted = values.sorted { a, b in a.isNaN ? !b.isNaN : (b.isNaN ? false : a < b) }
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = max(0, Int(rank.rounded(.down)))
        let upper = min(sorted.count - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[lower] * (1 - weight) + sorted[upper] * weight
    }
}
