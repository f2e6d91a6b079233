import Foundation
import MetricModel

extension Evaluator {
    /// `histogram_quantile` over classic `le` buckets, grouping by all labels but `le`.
    func histogramQuantile(_ q: Double, _ input: [VectorElement], quantilePosition: SourcePosition?, vectorPosition: SourcePosition?,
                           at t: Int64) throws(QueryError) -> [VectorElement] {
        if q.isNaN || q < 0 || q > 1 { warn("quantile value should be between 0 and 1, got \(GoFloat.format(q))", at: quantilePosition) }
        var groups = LabelsTable<[(upper: Double, count: Double)]>()
        for el in input {
            // Bucket bounds and group keys are cached: range queries meet the same series at every step.
            let cached = bucketKeys.insert(el.labels) {
                let le = el.labels["le"]
                // The name stays in the key and is dropped at the end, so two histograms that
                // differ only by name collide there with the labelset error, as in Prometheus.
                return (el.labels.removing("le"), Double(le.trimmingCharacters(in: .whitespaces)) ?? Self.parseBound(le))
            }.index
            let (key, bound) = bucketKeys.values[cached]
            guard let upper = bound else {
                warn("bucket label \"le\" is missing or has a malformed value of \"\(el.labels["le"])\" for metric name \"\(el.labels.metricName)\"", at: vectorPosition)
                continue
            }
            let i = groups.insert(key) { [] }.index
            groups.values[i].append((upper, el.v))
        }
        return zip(groups.keys, groups.values).map { key, buckets in
            let (v, fixed) = Self.bucketQuantileChecked(q, buckets)
            if fixed {
                info("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"\(key.metricName)\"", at: vectorPosition)
            }
            var el = VectorElement(labels: key, t: t, v: v)
            el.dropName = true
            return el
        }
    }

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
