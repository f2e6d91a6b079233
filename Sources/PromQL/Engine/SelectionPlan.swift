import MetricModel
import TSDB

/// What a query reads from storage, selector by selector: the time window each needs and,
/// once selected, its series (snapshots of their chunks, nothing decoded yet).
///
/// Selectors are keyed by their matchers' text, so the same selector written twice (or reached
/// at several offsets) is read once, over the union of the windows.
struct SelectionPlan: Sendable {
    /// What one selector reads: its matchers and the span of samples it needs.
    struct Selection: Sendable, Equatable {
        var matchers: [LabelMatcher]
        var mint: Int64
        var maxt: Int64
        /// Whether the selector is only read as an instant vector at one moment, so each
        /// series' newest sample is all it needs (`up` or `x > 0` in an instant query or a rule).
        var latestOnly: Bool
    }

    private(set) var selections: [String: Selection] = [:]
    /// Series selected ahead of evaluation; the evaluator takes each entry out as it reads it.
    var series: [String: [SeriesData]] = [:]

    init() {}

    /// Records that selector `key` needs `[mint, maxt]`; a selector needed twice gets the union,
    /// and stays latest-only only if both needs were the same single instant.
    mutating func need(_ key: String, _ matchers: [LabelMatcher], mint: Int64, maxt: Int64, latestOnly: Bool) {
        guard var s = selections[key] else {
            selections[key] = Selection(matchers: matchers, mint: mint, maxt: maxt, latestOnly: latestOnly)
            return
        }
        s.latestOnly = s.latestOnly && latestOnly && s.mint == mint && s.maxt == maxt
        s.mint = min(s.mint, mint)
        s.maxt = max(s.maxt, maxt)
        selections[key] = s
    }

    /// Selects every selector's series (postings and chunk headers only).
    mutating func selectAll(from querier: any Querier) {
        for (key, s) in selections where series[key] == nil {
            series[key] = querier.select(s.matchers, mint: s.mint, maxt: s.maxt, sorted: false)
        }
    }

    /// How many samples reading `key` will decode: whole chunks overlapping its window, or
    /// one per series for latest-only selectors.
    func samplesToRead(_ key: String) -> Int {
        guard let s = selections[key], let selected = series[key] else { return 0 }
        if s.latestOnly { return selected.count }
        var total = 0
        for data in selected { total &+= data.sampleCount(mint: s.mint, maxt: s.maxt) }
        return total
    }
}
