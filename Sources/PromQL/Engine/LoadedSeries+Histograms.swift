import MetricModel
import TSDB

/// What selectors see of a series that holds native histograms beside (or instead of) floats.
extension LoadedSeries {
    /// Index of the last histogram sample with timestamp <= t, or -1.
    func lastHistogramIndex(atOrBefore t: Int64) -> Int {
        var lo = 0, hi = histograms.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if histograms[mid].t <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }

    /// The element an instant selector sees at `ref`: the newest sample of either kind within the
    /// lookback window, unless it is a staleness marker. `floatIndex` is the last float sample at
    /// or before `ref` (or -1); the element is stamped `t`.
    func visibleElement(at ref: Int64, floatIndex i: Int, lookback: Int64, t: Int64) -> VectorElement? {
        let j = lastHistogramIndex(atOrBefore: ref)
        if j >= 0, i < 0 || histograms[j].t > ts[i] {
            let h = histograms[j]
            guard h.t > ref - lookback, !StaleNaN.isStale(h.histogram.sum) else { return nil }
            return VectorElement(labels: labels, t: t, histogram: h.histogram)
        }
        guard isVisible(i, at: ref, lookback: lookback) else { return nil }
        return VectorElement(labels: labels, t: t, v: vs[i])
    }

    /// The time of the sample an instant selector sees at `ref`, of either kind.
    func visibleTime(at ref: Int64, lookback: Int64) -> Int64? {
        let i = lastIndex(atOrBefore: ref)
        guard let el = visibleElement(at: ref, floatIndex: i, lookback: lookback, t: 0) else { return nil }
        if el.histogram != nil { return histograms[lastHistogramIndex(atOrBefore: ref)].t }
        return ts[i]
    }

    /// The histogram samples in the left-open window (`start`, `end`], staleness markers left out.
    func histogramWindow(after start: Int64, through end: Int64) -> [FloatHistogramSample] {
        guard !histograms.isEmpty else { return [] }
        let hi = lastHistogramIndex(atOrBefore: end)
        let lo = lastHistogramIndex(atOrBefore: start) + 1
        guard hi >= lo else { return [] }
        return histograms[lo...hi].filter { !StaleNaN.isStale($0.histogram.sum) }
    }
}
