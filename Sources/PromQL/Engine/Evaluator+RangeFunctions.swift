import Foundation
import MetricModel
import TSDB

extension Evaluator {
    func rangeFunction(_ name: String, _ args: [Expr], positions: [SourcePosition], at t: Int64) throws(QueryError) -> [VectorElement] {
        let matrixIndex = name == "quantile_over_time" ? 1 : 0
        let matrixPosition = matrixIndex < positions.count ? positions[matrixIndex] : nil
        let matrixArg = args[matrixIndex]
        var bare = matrixArg
        while case .paren(let inner) = bare { bare = inner }
        let keepsName = Self.keepsName.contains(name)
        let function = RangeFunction(rawValue: name)

        // A plain selector (`metric[5m]`) is read in place: windows into the decoded series.
        if let function, case .matrix(let selector, let range) = bare {
            let ref = resolve(selector.at, t) - selector.offset
            var windows: [(Int, Int, Int)] = []
            let loaded = try series(for: selector)
            let cursorKey = Self.key(selector) + "[\(range)]"
            var hints = cursors.removeValue(forKey: cursorKey) ?? Array(repeating: -1, count: loaded.count * 2)
            defer { cursors[cursorKey] = hints }
            var withHistograms: [Int] = []
            for (k, series) in loaded.enumerated() {
                if !series.histograms.isEmpty {
                    withHistograms.append(k)
                    continue
                }
                let hi = series.lastIndex(atOrBefore: ref, hint: hints[2 * k])
                let before = series.lastIndex(atOrBefore: ref - range, hint: hints[2 * k + 1])
                hints[2 * k] = hi
                hints[2 * k + 1] = before
                if hi > before { windows.append((k, before + 1, hi - before)) }
            }
            let params = try rangeParams(name, args, positions: positions, hasInput: !windows.isEmpty || !withHistograms.isEmpty, at: t)
            let counterCheck = name == "rate" || name == "increase"
            var out: [VectorElement] = []
            out.reserveCapacity(windows.count)
            for k in withHistograms {
                let series = loaded[k]
                let window = selectedWindow(series, rangeStart: ref - range, rangeEnd: ref)
                if counterCheck, window.histograms.isEmpty, !window.floats.isEmpty, !series.counterLikeName {
                    info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"\(series.labels.metricName)\"", at: matrixPosition)
                }
                guard let outcome = rangeOverHistograms(function, floats: window.floats, histograms: window.histograms, metricName: series.labels.metricName,
                                                        rangeStart: ref - range, rangeEnd: ref, evalTime: t, params: params, position: matrixPosition) else { continue }
                var el = Self.element(outcome, labels: series.labels, t: t)
                el.dropName = !keepsName
                out.append(el)
            }
            for (k, lo, count) in windows {
                let series = loaded[k]
                if counterCheck && !series.counterLikeName {
                    info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"\(series.labels.metricName)\"", at: matrixPosition)
                }
                let value: Double?
                if series.hasStaleMarkers {
                    var samples: [Sample] = []
                    for i in lo..<(lo + count) where !StaleNaN.isStale(series.vs[i]) { samples.append(Sample(t: series.ts[i], v: series.vs[i])) }
                    value = RangeFunction.value(function, samples, rangeStart: ref - range, rangeEnd: ref, evalTime: t, params: params)
                } else {
                    value = series.ts.withUnsafeBufferPointer { ts in
                        series.vs.withUnsafeBufferPointer { vs in
                            RangeFunction.value(function, SeriesWindow(ts: ts, vs: vs, lo: lo, sampleCount: count),
                                            rangeStart: ref - range, rangeEnd: ref, evalTime: t, params: params)
                        }
                    }
                }
                guard let value else { continue }
                var el = VectorElement(labels: series.labels, t: t, v: value)
                el.dropName = !keepsName
                out.append(el)
            }
            return out
        }

        let series = try matrix(matrixArg, at: t)
        if name == "absent_over_time" {
            return series.isEmpty ? [VectorElement(labels: Self.absentLabels(matrixArg), t: t, v: 1)] : []
        }
        guard let function else { throw QueryError(.execution, "function \"\(name)\" is not implemented") }
        var range: Int64 = 0
        var ref = t
        if case .subquery(_, let r, _, let o, let a) = bare {
            range = r
            ref = resolve(a, t) - o
        }
        let params = try rangeParams(name, args, positions: positions, hasInput: !series.isEmpty, at: t)
        if name == "rate" || name == "increase" {
            for s in series where s.histograms.isEmpty && !LoadedSeries.isCounterLike(s.labels.metricName) {
                info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"\(s.labels.metricName)\"", at: matrixPosition)
            }
        }
        var out: [VectorElement] = []
        for s in series {
            var el: VectorElement
            if s.histograms.isEmpty {
                guard let v = RangeFunction.value(function, s.samples, rangeStart: ref - range, rangeEnd: ref, evalTime: t, params: params) else { continue }
                el = VectorElement(labels: s.labels, t: t, v: v)
            } else {
                guard let outcome = rangeOverHistograms(function, floats: s.samples, histograms: s.histograms, metricName: s.labels.metricName,
                                                        rangeStart: ref - range, rangeEnd: ref, evalTime: t, params: params, position: matrixPosition) else { continue }
                el = Self.element(outcome, labels: s.labels, t: t)
            }
            el.dropName = !keepsName || s.dropName
            out.append(el)
        }
        return out
    }

    /// A range function's result as a vector element.
    static func element(_ outcome: RangeOutcome, labels: Labels, t: Int64) -> VectorElement {
        switch outcome {
        case .float(let v): return VectorElement(labels: labels, t: t, v: v)
        case .histogram(let h): return VectorElement(labels: labels, t: t, histogram: h)
        }
    }

    /// The samples of both kinds in the left-open window (`rangeStart`, `rangeEnd`], without
    /// staleness markers.
    func selectedWindow(_ series: LoadedSeries, rangeStart: Int64, rangeEnd: Int64) -> (floats: [Sample], histograms: [FloatHistogramSample]) {
        let hi = series.lastIndex(atOrBefore: rangeEnd)
        let lo = series.lastIndex(atOrBefore: rangeStart) + 1
        var floats: [Sample] = []
        if hi >= lo {
            floats.reserveCapacity(hi - lo + 1)
            for i in lo...hi where !StaleNaN.isStale(series.vs[i]) { floats.append(Sample(t: series.ts[i], v: series.vs[i])) }
        }
        return (floats, series.histogramWindow(after: rangeStart, through: rangeEnd))
    }

    /// The scalar arguments of range functions that take them, validated.
    private func rangeParams(_ name: String, _ args: [Expr], positions: [SourcePosition], hasInput: Bool, at t: Int64) throws(QueryError) -> [Double] {
        switch name {
        case "quantile_over_time":
            let q = try scalar(args[0], at: t)
            if hasInput, q.isNaN || q < 0 || q > 1 {
                warn("quantile value should be between 0 and 1, got \(GoFloat.format(q))", at: positions.first)
            }
            return [q]
        case "predict_linear":
            return [try scalar(args[1], at: t)]
        case "holt_winters", "double_exponential_smoothing":
            let params = [try scalar(args[1], at: t), try scalar(args[2], at: t)]
            guard params[0] > 0, params[0] < 1 else { throw QueryError(.execution, "invalid smoothing factor. Expected: 0 < sf < 1, got: \(params[0])") }
            guard params[1] > 0, params[1] < 1 else { throw QueryError(.execution, "invalid trend factor. Expected: 0 < tf < 1, got: \(params[1])") }
            return params
        default:
            return []
        }
    }
}
