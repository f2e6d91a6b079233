import MetricModel
import TSDB

/// What a query reads from storage, selector by selector: the time window each needs and,
/// once selected, its series (snapshots of their chunks, nothing decoded yet).
///
/// Selectors are keyed by their matchers' text, so the same selector written twice (or reached
/// at several offsets) is read once, over the union of the windows.
struct SelectionPlan: Sendable {
    /// The span of samples one selector needs.
    struct Window: Sendable, Equatable {
        var mint: Int64
        var maxt: Int64
        /// Whether the selector is only read as an instant vector at one moment, so each
        /// series' newest sample is all it needs (`up` or `x > 0` in an instant query or a rule).
        var latestOnly: Bool
    }

    private(set) var windows: [String: Window] = [:]
    private(set) var matchers: [String: [LabelMatcher]] = [:]
    /// Series selected ahead of evaluation; the evaluator takes each entry out as it reads it.
    var series: [String: [SeriesData]] = [:]

    init() {}

    /// Records that selector `key` needs `[mint, maxt]`; a selector needed twice gets the union,
    /// and stays latest-only only if both needs were the same single instant.
    mutating func need(_ key: String, _ matchers: [LabelMatcher], mint: Int64, maxt: Int64, latestOnly: Bool) {
        if let w = windows[key] {
            let same = w.mint == mint && w.maxt == maxt
            windows[key] = Window(mint: min(w.mint, mint), maxt: max(w.maxt, maxt), latestOnly: w.latestOnly && latestOnly && same)
        } else {
            windows[key] = Window(mint: mint, maxt: maxt, latestOnly: latestOnly)
            self.matchers[key] = matchers
        }
    }

    /// Selects every selector's series (postings and chunk headers only).
    mutating func selectAll(from querier: any Querier) {
        for (key, w) in windows where series[key] == nil {
            series[key] = querier.select(matchers[key] ?? [], mint: w.mint, maxt: w.maxt, sorted: false)
        }
    }

    /// How many samples reading `key` will decode: whole chunks overlapping its window, or
    /// one per series for latest-only selectors.
    func samplesToRead(_ key: String) -> Int {
        guard let w = windows[key], let selected = series[key] else { return 0 }
        if w.latestOnly { return selected.count }
        var total = 0
        for s in selected { total &+= s.sampleCount(mint: w.mint, maxt: w.maxt) }
        return total
    }
}
