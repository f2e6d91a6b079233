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
            for (k, series) in loaded.enumerated() {
                let hi = series.lastIndex(atOrBefore: ref, hint: hints[2 * k])
                let before = series.lastIndex(atOrBefore: ref - range, hint: hints[2 * k + 1])
                hints[2 * k] = hi
                hints[2 * k + 1] = before
                if hi > before { windows.append((k, before + 1, hi - before)) }
            }
            let params = try rangeParams(name, args, positions: positions, hasInput: !windows.isEmpty, at: t)
            let counterCheck = name == "rate" || name == "increase"
            var out: [VectorElement] = []
            out.reserveCapacity(windows.count)
            for (k, lo, count) in windows {
                let series = loaded[k]
                if counterCheck && !series.counterLikeName {
                    info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"\(series.labels.metricName)\"", at: matrixPosition)
                }
                let value: Double?
                if series.hasStaleMarkers {
                    var samples: [Sample] = []
                    for i in lo..<(lo + count) where !StaleNaN.isStale(series.vs[i]) { samples.append(Sample(t: series.ts[i], v: series.vs[i])) }
                    value = Self.rangeValue(function, samples, rangeStart: ref - range, rangeEnd: ref, evalTime: t, params: params)
                } else {
                    value = series.ts.withUnsafeBufferPointer { ts in
                        series.vs.withUnsafeBufferPointer { vs in
                            Self.rangeValue(function, SeriesWindow(ts: ts, vs: vs, lo: lo, sampleCount: count),
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
            for s in series where !LoadedSeries.isCounterLike(s.labels.metricName) {
                info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"\(s.labels.metricName)\"", at: matrixPosition)
            }
        }
        var out: [VectorElement] = []
        for s in series {
            guard let v = Self.rangeValue(function, s.samples, rangeStart: ref - range, rangeEnd: ref, evalTime: t, params: params) else { continue }
            var el = VectorElement(labels: s.labels, t: t, v: v)
            el.dropName = !keepsName || s.dropName
            out.append(el)
        }
        return out
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

    static func rangeValue<S: SampleRun>(_ name: RangeFunction, _ s: S, rangeStart: Int64, rangeEnd: Int64, evalTime: Int64, params: [Double]) -> Double? {
        let n = s.sampleCount
        guard n > 0 else { return nil }
        switch name {
        case .rate: return extrapolated(s, rangeStart, rangeEnd, counter: true, rate: true)
        case .increase: return extrapolated(s, rangeStart, rangeEnd, counter: true, rate: false)
        case .delta: return extrapolated(s, rangeStart, rangeEnd, counter: false, rate: false)
        case .irate, .idelta:
            guard n >= 2 else { return nil }
            let last = s.value(n - 1), prev = s.value(n - 2)
            var d = last - prev
            if name == .irate {
                if last < prev { d = last }
                let dt = Double(s.time(n - 1) - s.time(n - 2)) / 1000
                guard dt != 0 else { return nil }
                return d / dt
            }
            return d
        case .deriv:
            guard n >= 2 else { return nil }
            return linearRegression(s, interceptTime: s.time(0)).slope
        case .predictLinear:
            guard n >= 2 else { return nil }
            // The prediction starts from the evaluation time, even under `@`.
            let (slope, intercept) = linearRegression(s, interceptTime: evalTime)
            return intercept + slope * params[0]
        case .changes:
            var count = 0
            for i in 1..<max(1, n) {
                let a = s.value(i), b = s.value(i - 1)
                if !(a == b || (a.isNaN && b.isNaN)) { count += 1 }
            }
            return Double(count)
        case .resets:
            var count = 0
            for i in 1..<max(1, n) where s.value(i) < s.value(i - 1) { count += 1 }
            return Double(count)
        case .avgOverTime:
            var m = MeanAccumulator()
            for i in 0..<n { m.add(s.value(i)) }
            return m.value
        case .sumOverTime:
            var k = KahanSum()
            for i in 0..<n { k.add(s.value(i)) }
            return k.value
        case .countOverTime: return Double(n)
        case .minOverTime:
            var m = s.value(0)
            for i in 0..<n { let x = s.value(i); if x < m || m.isNaN { m = x } }
            return m
        case .maxOverTime:
            var m = s.value(0)
            for i in 0..<n { let x = s.value(i); if x > m || m.isNaN { m = x } }
            return m
        case .lastOverTime: return s.value(n - 1)
        case .firstOverTime: return s.value(0)
        case .tsOfLastOverTime: return Double(s.time(n - 1)) / 1000
        case .tsOfFirstOverTime: return Double(s.time(0)) / 1000
        case .tsOfMaxOverTime, .tsOfMinOverTime:
            var best = 0
            for i in 0..<n {
                let x = s.value(i), b = s.value(best)
                let better = name == .tsOfMaxOverTime ? (x >= b || b.isNaN) : (x <= b || b.isNaN)
                if better && !x.isNaN { best = i }
            }
            return Double(s.time(best)) / 1000
        case .presentOverTime: return 1
        case .stddevOverTime: return variance(s.values).squareRoot()
        case .stdvarOverTime: return variance(s.values)
        case .quantileOverTime: return quantile(params[0], s.values)
        case .madOverTime:
            let values = s.values
            if values.contains(where: \.isNaN) { return .nan }
            let median = quantile(0.5, values)
            return quantile(0.5, values.map { abs($0 - median) })
        case .holtWinters, .doubleExponentialSmoothing:
            guard n >= 2 else { return nil }
            let sf = params[0], tf = params[1]
            // As Prometheus: s0 starts at zero and the first trend is the first difference.
            var s0 = 0.0
            var s1 = s.value(0)
            var trend = s.value(1) - s.value(0)
            for i in 1..<n {
                if i > 1 { trend = tf * (s1 - s0) + (1 - tf) * trend }
                let next = sf * s.value(i) + (1 - sf) * (s1 + trend)
                s0 = s1
                s1 = next
            }
            return s1
        default:
            return nil
        }
    }

    /// rate/increase/delta: the change across the window, extrapolated to its edges.
    static func extrapolated<S: SampleRun>(_ s: S, _ rangeStart: Int64, _ rangeEnd: Int64, counter: Bool, rate: Bool) -> Double? {
        let n = s.sampleCount
        guard n >= 2 else { return nil }
        let firstV = s.value(0), lastV = s.value(n - 1)
        let firstT = s.time(0), lastT = s.time(n - 1)
        var result = lastV - firstV
        if counter && !s.knownNotToDecrease {
            var prev = firstV
            for i in 1..<n {
                let x = s.value(i)
                if x < prev { result += prev }
                prev = x
            }
        }
        var durationToStart = Double(firstT - rangeStart) / 1000
        var durationToEnd = Double(rangeEnd - lastT) / 1000
        let sampled = Double(lastT - firstT) / 1000
        let average = sampled / Double(n - 1)
        let threshold = average * 1.1
        if durationToStart >= threshold { durationToStart = average / 2 }
        if counter && result > 0 && firstV >= 0 {
            let durationToZero = sampled * (firstV / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= threshold { durationToEnd = average / 2 }
        var factor = (sampled + durationToStart + durationToEnd) / sampled
        if rate { factor /= Double(rangeEnd - rangeStart) / 1000 }
        return result * factor
    }

    static func linearRegression<S: SampleRun>(_ s: S, interceptTime: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = KahanSum(), sumY = KahanSum(), sumXY = KahanSum(), sumX2 = KahanSum()
        let initY = s.value(0)
        var constY = true
        for i in 0..<s.sampleCount {
            let y = s.value(i)
            if constY && i > 0 && y != initY { constY = false }
            n += 1
            let xv = Double(s.time(i) - interceptTime) / 1000
            sumX.add(xv)
            sumY.add(y)
            sumXY.add(xv * y)
            sumX2.add(xv * xv)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        let covXY = sumXY.value - sumX.value * sumY.value / n
        let varX = sumX2.value - sumX.value * sumX.value / n
        let slope = covXY / varX
        let intercept = sumY.value / n - slope * sumX.value / n
        return (slope, intercept)
    }
}

/// The functions that read a range vector, resolved once per call rather than per series.
enum RangeFunction: String {
    case rate
    case increase
    case delta
    case irate
    case idelta
    case deriv
    case predictLinear = "predict_linear"
    case changes
    case resets
    case avgOverTime = "avg_over_time"
    case sumOverTime = "sum_over_time"
    case countOverTime = "count_over_time"
    case minOverTime = "min_over_time"
    case maxOverTime = "max_over_time"
    case lastOverTime = "last_over_time"
    case firstOverTime = "first_over_time"
    case tsOfLastOverTime = "ts_of_last_over_time"
    case tsOfFirstOverTime = "ts_of_first_over_time"
    case tsOfMaxOverTime = "ts_of_max_over_time"
    case tsOfMinOverTime = "ts_of_min_over_time"
    case presentOverTime = "present_over_time"
    case stddevOverTime = "stddev_over_time"
    case stdvarOverTime = "stdvar_over_time"
    case quantileOverTime = "quantile_over_time"
    case madOverTime = "mad_over_time"
    case holtWinters = "holt_winters"
    case doubleExponentialSmoothing = "double_exponential_smoothing"
}
