import MetricModel
import TSDB

/// What a range function yields for one series' window: a float, a histogram, or nothing.
enum RangeOutcome {
    case float(Double)
    case histogram(FloatHistogram)
}

extension Evaluator {
    /// A range function over a window that holds native histograms (floats may be there too):
    /// rates and deltas of histograms, their sums and averages over time, and the functions that
    /// only count or pick samples. The others are defined on floats and read the floats alone.
    /// Problems are reported as Prometheus words them, naming the metric.
    func rangeOverHistograms(_ function: RangeFunction, floats: [Sample], histograms: [FloatHistogramSample], metricName: String,
                             rangeStart: Int64, rangeEnd: Int64, evalTime: Int64, params: [Double],
                             position: SourcePosition?) -> RangeOutcome? {
        if histograms.isEmpty {
            return RangeFunction.value(function, floats, rangeStart: rangeStart, rangeEnd: rangeEnd, evalTime: evalTime, params: params).map(RangeOutcome.float)
        }
        let mixed = { self.warn("encountered a mix of histograms and floats for metric name \"\(metricName)\"", at: position) }
        let incompatible = {
            self.warn("vector contains a mix of histograms with exponential and custom buckets schemas for metric name \"\(metricName)\"", at: position)
        }
        switch function {
        case .rate, .increase, .delta:
            guard floats.isEmpty else { mixed(); return nil }
            return histogramChange(histograms, rangeStart: rangeStart, rangeEnd: rangeEnd, counter: function != .delta,
                                   rate: function == .rate, metricName: metricName, position: position, incompatible: incompatible)
        case .irate, .idelta:
            // The last two samples, whatever their kind.
            let lastFloat = floats.last, lastHistogram = histograms[histograms.count - 1]
            if let lastFloat, lastFloat.t > lastHistogram.t {
                let beforeFloat = floats.count >= 2 ? floats[floats.count - 2] : nil
                if let beforeFloat, beforeFloat.t > lastHistogram.t {
                    return RangeFunction.value(function, [beforeFloat, lastFloat], rangeStart: rangeStart, rangeEnd: rangeEnd,
                                               evalTime: evalTime, params: params).map(RangeOutcome.float)
                }
                mixed()
                return nil
            }
            guard histograms.count >= 2 else {
                if floats.last != nil { mixed() }
                return nil
            }
            let previous = histograms[histograms.count - 2]
            if let lastFloat, lastFloat.t > previous.t { mixed(); return nil }
            return histogramInstantChange(previous, lastHistogram, rate: function == .irate, metricName: metricName,
                                          position: position, incompatible: incompatible)
        case .sumOverTime, .avgOverTime:
            guard floats.isEmpty else { mixed(); return nil }
            var total = histograms[0].histogram
            if zip(histograms, histograms.dropFirst()).contains(where: { $0.histogram.hasOtherCustomBounds(than: $1.histogram) }) {
                info("mismatched custom buckets were reconciled during aggregation", at: position)
            }
            for sample in histograms.dropFirst() {
                guard let next = total.adding(sample.histogram) else { incompatible(); return nil }
                total = next
            }
            if function == .avgOverTime { total = total.scaled(by: 1 / Double(histograms.count)) }
            total.counterResetHint = .gauge
            return .histogram(total)
        case .countOverTime:
            return .float(Double(floats.count + histograms.count))
        case .presentOverTime:
            return .float(1)
        case .lastOverTime:
            if let f = floats.last, f.t > histograms[histograms.count - 1].t { return .float(f.v) }
            return .histogram(histograms[histograms.count - 1].histogram)
        case .firstOverTime:
            if let f = floats.first, f.t < histograms[0].t { return .float(f.v) }
            return .histogram(histograms[0].histogram)
        case .tsOfLastOverTime:
            return .float(Double(max(floats.last?.t ?? .min, histograms[histograms.count - 1].t)) / 1000)
        case .tsOfFirstOverTime:
            return .float(Double(min(floats.first?.t ?? .max, histograms[0].t)) / 1000)
        case .changes, .resets:
            return .float(Double(histogramTransitions(floats, histograms, resets: function == .resets)))
        default:
            // Defined on floats: a window of histograms alone has no value; beside floats they
            // are left out, and the query says so.
            guard !floats.isEmpty else { return nil }
            info("ignored histograms in a range vector passed to \(function.rawValue)", at: position)
            return RangeFunction.value(function, floats, rangeStart: rangeStart, rangeEnd: rangeEnd, evalTime: evalTime, params: params).map(RangeOutcome.float)
        }
    }

    /// rate, increase and delta of histograms: the last minus the first, with every counter
    /// reset's histogram added back (counters only), extrapolated as for floats with the counts
    /// standing in for values. The result is a gauge histogram.
    private func histogramChange(_ samples: [FloatHistogramSample], rangeStart: Int64, rangeEnd: Int64, counter: Bool, rate: Bool,
                                 metricName: String, position: SourcePosition?, incompatible: () -> Void) -> RangeOutcome? {
        guard samples.count >= 2 else { return nil }
        if counter, samples.contains(where: { $0.histogram.counterResetHint == .gauge }) {
            warn("this native histogram metric is not a counter: \"\(metricName)\"", at: position)
        }
        if !counter, samples.contains(where: { $0.histogram.counterResetHint != .gauge }) {
            warn("this native histogram metric is not a gauge: \"\(metricName)\"", at: position)
        }
        let first = samples[0], last = samples[samples.count - 1]
        if zip(samples, samples.dropFirst()).contains(where: { $0.histogram.hasOtherCustomBounds(than: $1.histogram) }) {
            info("mismatched custom buckets were reconciled during subtraction", at: position)
        }
        guard var change = last.histogram.subtracting(first.histogram) else { incompatible(); return nil }
        if counter {
            for (previous, current) in zip(samples, samples.dropFirst()) where current.histogram.isCounterReset(after: previous.histogram) {
                guard let restored = change.adding(previous.histogram) else { incompatible(); return nil }
                change = restored
            }
        }
        let factor = RangeFunction.extrapolationFactor(firstT: first.t, lastT: last.t, count: samples.count, firstValue: first.histogram.count,
                                                       change: change.count, rangeStart, rangeEnd, counter: counter, rate: rate)
        var out = change.scaled(by: factor)
        out.counterResetHint = .gauge
        return .histogram(out)
    }

    /// irate and idelta of histograms: the last two samples' difference (for irate a reset
    /// between them counts the last sample whole), per second for irate.
    private func histogramInstantChange(_ previous: FloatHistogramSample, _ last: FloatHistogramSample, rate: Bool,
                                        metricName: String, position: SourcePosition?, incompatible: () -> Void) -> RangeOutcome? {
        let hints = [previous.histogram.counterResetHint, last.histogram.counterResetHint]
        if rate, hints.contains(.gauge) { warn("this native histogram metric is not a counter: \"\(metricName)\"", at: position) }
        if !rate, hints.contains(where: { $0 != .gauge }) { warn("this native histogram metric is not a gauge: \"\(metricName)\"", at: position) }
        var change: FloatHistogram
        if last.histogram.hasOtherCustomBounds(than: previous.histogram) {
            info("mismatched custom buckets were reconciled during subtraction", at: position)
        }
        if rate, last.histogram.isCounterReset(after: previous.histogram) {
            change = last.histogram
        } else {
            guard let difference = last.histogram.subtracting(previous.histogram) else { incompatible(); return nil }
            change = difference
        }
        if rate {
            let seconds = Double(last.t - previous.t) / 1000
            guard seconds != 0 else { return nil }
            change = change.scaled(by: 1 / seconds)
        }
        change.counterResetHint = .gauge
        return .histogram(change)
    }

    /// How often consecutive samples differ (`changes`) or a counter went back (`resets`),
    /// floats and histograms taken in time order; a switch between the kinds counts as both.
    private func histogramTransitions(_ floats: [Sample], _ histograms: [FloatHistogramSample], resets: Bool) -> Int {
        enum Point { case float(Double), histogram(FloatHistogram) }
        var points: [(t: Int64, point: Point)] = floats.map { ($0.t, .float($0.v)) } + histograms.map { ($0.t, .histogram($0.histogram)) }
        points.sort { $0.t < $1.t }
        var count = 0
        for (a, b) in zip(points, points.dropFirst()) {
            switch (a.point, b.point) {
            case let (.float(x), .float(y)):
                if resets ? y < x : !(x == y || (x.isNaN && y.isNaN)) { count += 1 }
            case let (.histogram(x), .histogram(y)):
                if resets ? y.isCounterReset(after: x) : !y.sameObservations(as: x) { count += 1 }
            default:
                count += 1
            }
        }
        return count
    }
}

