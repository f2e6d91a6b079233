import MetricModel
import PromQL
import TSDB

/// How the Grafana JSON datasource shows native histograms. Grafana's panels draw numbers, so a
/// histogram sample becomes one number per derived series; the target's payload field
/// `histogram` picks which.
enum GrafanaHistogramView: String, CaseIterable, Sendable {
    /// The 0.5, 0.9 and 0.99 quantiles, each a series with a `quantile` label (the default: a
    /// latency histogram is read by its percentiles).
    case quantiles
    /// Each bucket's own count (not cumulative) as a series whose `le` label is the bucket's upper
    /// bound: Grafana's heatmap panel reads them as rows ("Time series buckets", legend `{{le}}`).
    case buckets
    /// The observation count.
    case count
    /// The sum of observations.
    case sum

    /// The quantiles the `quantiles` view draws.
    static let quantileLevels: [Double] = [0.5, 0.9, 0.99]

    /// The view a target's payload asks for; `quantiles` when it names none.
    init(payload: JSONObject?) throws(GrafanaRequestError) {
        guard let name = payload?.string("histogram"), !name.isEmpty else {
            self = .quantiles
            return
        }
        guard let view = Self(rawValue: name) else {
            throw GrafanaRequestError("payload histogram must be one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = view
    }

    /// The numbers one histogram sample of a series stands for: the labels of each derived series
    /// and its value there.
    func values(_ labels: Labels, _ h: FloatHistogram) -> [(Labels, Double)] {
        switch self {
        case .count: return [(labels, h.count)]
        case .sum: return [(labels, h.sum)]
        case .quantiles:
            return Self.quantileLevels.map { (Self.labels(labels, "quantile", GoFloat.format($0)), h.quantile($0)) }
        case .buckets:
            return h.allBuckets.map { (Self.labels(labels, "le", GoFloat.format($0.upper)), $0.count) }
        }
    }

    /// Float series from a range result's histogram series, in the order of first appearance
    /// (buckets ascending within a series); the float samples of a series that has both come first.
    func series(_ matrix: [MatrixSeries]) -> [(Labels, [(Int64, Double)])] {
        var out: [(Labels, [(Int64, Double)])] = []
        for s in matrix {
            if !s.samples.isEmpty || s.histograms.isEmpty { out.append((s.labels, s.samples.map { ($0.t, $0.v) })) }
            guard !s.histograms.isEmpty else { continue }
            var index: [Labels: Int] = [:]
            var derived: [(Labels, [(Int64, Double)])] = []
            for point in s.histograms {
                for (labels, v) in values(s.labels, point.histogram) {
                    if let i = index[labels] {
                        derived[i].1.append((point.t, v))
                    } else {
                        index[labels] = derived.count
                        derived.append((labels, [(point.t, v)]))
                    }
                }
            }
            // Buckets that appear later (a wider spread of observations) still sort by bound.
            if self == .buckets { derived.sort { Self.bound($0.0) < Self.bound($1.0) } }
            out += derived
        }
        return out
    }

    /// Rows of an instant result: floats as they are, each histogram as its derived values.
    func rows(_ vector: [VectorElement]) -> [(Int64, Labels, Double)] {
        vector.flatMap { e -> [(Int64, Labels, Double)] in
            guard let h = e.histogram else { return [(e.t, e.labels, e.v)] }
            return values(e.labels, h).map { (e.t, $0.0, $0.1) }
        }
    }

    private static func labels(_ labels: Labels, _ name: String, _ value: String) -> Labels {
        Labels(labels.pairs.filter { $0.name != name } + [Label(name, value)])
    }

    private static func bound(_ labels: Labels) -> Double { Double(labels["le"]) ?? .infinity }
}
