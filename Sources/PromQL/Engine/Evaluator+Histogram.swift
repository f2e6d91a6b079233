import Foundation
import MetricModel

/// The two kinds of histogram in one input vector: native histograms, and classic ones — float
/// series with an `le` label, grouped by their other labels (name included).
struct HistogramInput {
    var native: [VectorElement] = []
    var classic = LabelsTable<[(upper: Double, count: Double)]>()
}

extension Evaluator {
    /// Sorts `input` into native and classic histograms. A float series without a readable `le`
    /// is warned about and left out; a native histogram with the labels of a classic one is
    /// warned about and both are left out (which of the two is meant cannot be told).
    func histogramInput(_ input: [VectorElement], vectorPosition: SourcePosition?) -> HistogramInput {
        var out = HistogramInput()
        for el in input {
            if el.histogram != nil {
                out.native.append(el)
                continue
            }
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
            let i = out.classic.insert(key) { [] }.index
            out.classic.values[i].append((upper, el.v))
        }
        if !out.native.isEmpty, !out.classic.isEmpty {
            var conflicting = Set<Labels>()
            out.native.removeAll { el in
                guard out.classic.index(of: el.labels) != nil else { return false }
                warn("vector contains a mix of classic and native histograms for metric name \"\(el.labels.metricName)\"", at: vectorPosition)
                conflicting.insert(el.labels)
                return true
            }
            if !conflicting.isEmpty {
                var kept = LabelsTable<[(upper: Double, count: Double)]>()
                for (key, buckets) in zip(out.classic.keys, out.classic.values) where !conflicting.contains(key) { kept.insert(key) { buckets } }
                out.classic = kept
            }
        }
        return out
    }

    /// `histogram_quantile`: each native histogram's quantile, and each classic histogram's.
    func histogramQuantile(_ q: Double, _ input: [VectorElement], quantilePosition: SourcePosition?, vectorPosition: SourcePosition?,
                           at t: Int64) throws(QueryError) -> [VectorElement] {
        if q.isNaN || q < 0 || q > 1 { warn("quantile value should be between 0 and 1, got \(GoFloat.format(q))", at: quantilePosition) }
        let histograms = histogramInput(input, vectorPosition: vectorPosition)
        var out: [VectorElement] = []
        for el in histograms.native {
            var x = VectorElement(labels: el.labels, t: t, v: el.histogram?.quantile(q) ?? .nan)
            x.dropName = true
            out.append(x)
        }
        for (key, buckets) in zip(histograms.classic.keys, histograms.classic.values) {
            let (v, fixed) = BucketQuantile.bucketQuantileChecked(q, buckets)
            if fixed {
                info("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"\(key.metricName)\"", at: vectorPosition)
            }
            var el = VectorElement(labels: key, t: t, v: v)
            el.dropName = true
            out.append(el)
        }
        return out
    }
}

extension Evaluator {
    /// `histogram_count`, `histogram_sum`, `histogram_avg`, `histogram_stddev` and
    /// `histogram_stdvar` of each native histogram; float elements are left out.
    func histogramProperty(_ name: String, _ input: [VectorElement]) throws(QueryError) -> [VectorElement] {
        input.compactMap { el in
            guard let h = el.histogram else { return nil }
            let v: Double
            switch name {
            case "histogram_count": v = h.count
            case "histogram_sum": v = h.sum
            case "histogram_avg": v = h.sum / h.count
            case "histogram_stddev": v = h.estimatedVariance.squareRoot()
            default: v = h.estimatedVariance
            }
            var x = VectorElement(labels: el.labels, t: el.t, v: v)
            x.dropName = true
            return x
        }
    }

    /// `histogram_fraction(lower, upper, v)`: the estimated share of each histogram's
    /// observations between the bounds. A classic histogram is read as one with custom buckets.
    func histogramFraction(_ lower: Double, _ upper: Double, _ input: [VectorElement], vectorPosition: SourcePosition?,
                           at t: Int64) throws(QueryError) -> [VectorElement] {
        let histograms = histogramInput(input, vectorPosition: vectorPosition)
        var out: [VectorElement] = []
        for el in histograms.native {
            var x = VectorElement(labels: el.labels, t: t, v: el.histogram?.fraction(between: lower, and: upper) ?? .nan)
            x.dropName = true
            out.append(x)
        }
        for (key, buckets) in zip(histograms.classic.keys, histograms.classic.values) {
            guard let h = FloatHistogram(classicBuckets: buckets) else { continue }
            var x = VectorElement(labels: key, t: t, v: h.fraction(between: lower, and: upper))
            x.dropName = true
            out.append(x)
        }
        return out
    }
}
