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
                return (el.labels.removing("le"), Double(le.trimmingCharacters(in: .whitespaces)) ?? BucketQuantile.parseBound(le))
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
            let (v, fixed) = BucketQuantile.bucketQuantileChecked(q, buckets)
            if fixed {
                info("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"\(key.metricName)\"", at: vectorPosition)
            }
            var el = VectorElement(labels: key, t: t, v: v)
            el.dropName = true
            return el
        }
    }
}
