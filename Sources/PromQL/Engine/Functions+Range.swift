import Foundation
import MetricModel
import TSDB

extension Evaluator {
    func rangeFunction(_ name: String, _ args: [Expr], positions: [SourcePosition], at t: Int64) throws(QueryError) -> [VectorElement] {
        let matrixPosition = positions.count > (name == "quantile_over_time" ? 1 : 0) ? positions[name == "quantile_over_time" ? 1 : 0] : nil
        let matrixArg = name == "quantile_over_time" ? args[1] : args[0]
        var bare = matrixArg
        while case .paren(let inner) = bare { bare = inner }
        let series = try matrix(matrixArg, at: t)
        if name == "absent_over_time" {
            return series.isEmpty ? [VectorElement(labels: Self.absentLabels(matrixArg), t: t, v: 1)] : []
        }
        var range: Int64 = 0
        var ref = t
        switch bare {
        case .matrix(let s, let r): range = r; ref = resolve(s.at, t) - s.offset
        case .subquery(_, let r, _, let o, let a): range = r; ref = resolve(a, t) - o
        default: break
        }
        var params: [Double] = []
        if name == "quantile_over_time" {
            params = [try scalar(args[0], at: t)]
            if !series.isEmpty, params[0].isNaN || params[0] < 0 || params[0] > 1 {
                warn("quantile value should be between 0 and 1, got \(GoFloat.format(params[0]))", at: positions.first)
            }
        }
        if name == "rate" || name == "increase" {
            for s in series {
                let metric = s.labels.metricName
                if !metric.isEmpty, !["_total", "_sum", "_count", "_bucket"].contains(where: { metric.hasSuffix($0) }) {
                    info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"\(metric)\"", at: matrixPosition)
                }
            }
        }
        if name == "predict_linear" { params = [try scalar(args[1], at: t)] }
        if name == "holt_winters" || name == "double_exponential_smoothing" {
            params = [try scalar(args[1], at: t), try scalar(args[2], at: t)]
            guard params[0] > 0, params[0] < 1 else { throw QueryError(.execution, "invalid smoothing factor. Expected: 0 < sf < 1, got: \(params[0])") }
            guard params[1] > 0, params[1] < 1 else { throw QueryError(.execution, "invalid trend factor. Expected: 0 < tf < 1, got: \(params[1])") }
        }
        var out: [VectorElement] = []
        for s in series {
            guard let v = Self.rangeValue(name, s.samples, rangeStart: ref - range, rangeEnd: ref, evalTime: t, params: params) else { continue }
            var el = VectorElement(labels: s.labels, t: t, v: v)
            el.dropName = !Self.keepsName.contains(name) || s.dropName
            out.append(el)
        }
        return out
    }

    static func rangeValue(_ name: String, _ s: [Sample], rangeStart: Int64, rangeEnd: Int64, evalTime: Int64, params: [Double]) -> Double? {
        guard let first = s.first, let last = s.last else { return nil }
        switch name {
        case "rate": return extrapolated(s, rangeStart, rangeEnd, counter: true, rate: true)
        case "increase": return extrapolated(s, rangeStart, rangeEnd, counter: true, rate: false)
        case "delta": return extrapolated(s, rangeStart, rangeEnd, counter: false, rate: false)
        case "irate", "idelta":
            guard s.count >= 2 else { return nil }
            let prev = s[s.count - 2]
            var d = last.v - prev.v
            if name == "irate" {
                if last.v < prev.v { d = last.v }
                let dt = Double(last.t - prev.t) / 1000
                guard dt != 0 else { return nil }
                return d / dt
            }
            return d
        case "deriv":
            guard s.count >= 2 else { return nil }
            return linearRegression(s, interceptTime: first.t).slope
        case "predict_linear":
            guard s.count >= 2 else { return nil }
            // The prediction starts from the evaluation time, even under `@`.
            let (slope, intercept) = linearRegression(s, interceptTime: evalTime)
            return intercept + slope * params[0]
        case "changes":
            var n = 0
            for i in 1..<max(1, s.count) where !(s[i].v == s[i - 1].v || (s[i].v.isNaN && s[i - 1].v.isNaN)) { n += 1 }
            return Double(n)
        case "resets":
            var n = 0
            for i in 1..<max(1, s.count) where s[i].v < s[i - 1].v { n += 1 }
            return Double(n)
        case "avg_over_time": return mean(s.map(\.v))
        case "sum_over_time":
            var k = KahanSum()
            for x in s { k.add(x.v) }
            return k.value
        case "count_over_time": return Double(s.count)
        case "min_over_time":
            var m = s[0].v
            for x in s where x.v < m || m.isNaN { m = x.v }
            return m
        case "max_over_time":
            var m = s[0].v
            for x in s where x.v > m || m.isNaN { m = x.v }
            return m
        case "last_over_time": return last.v
        case "first_over_time": return first.v
        case "ts_of_last_over_time": return Double(last.t) / 1000
        case "ts_of_first_over_time": return Double(first.t) / 1000
        case "ts_of_max_over_time", "ts_of_min_over_time":
            var best = s[0]
            for x in s {
                let better = name == "ts_of_max_over_time" ? (x.v >= best.v || best.v.isNaN) : (x.v <= best.v || best.v.isNaN)
                if better && !x.v.isNaN { best = x }
            }
            return Double(best.t) / 1000
        case "present_over_time": return 1
        case "stddev_over_time": return variance(s.map(\.v)).squareRoot()
        case "stdvar_over_time": return variance(s.map(\.v))
        case "quantile_over_time": return quantile(params[0], s.map(\.v))
        case "mad_over_time":
            let values = s.map(\.v)
            if values.contains(where: \.isNaN) { return .nan }
            let median = quantile(0.5, values)
            return quantile(0.5, values.map { abs($0 - median) })
        case "holt_winters", "double_exponential_smoothing":
            guard s.count >= 2 else { return nil }
            let sf = params[0], tf = params[1]
            // As Prometheus: s0 starts at zero and the first trend is the first difference.
            var s0 = 0.0
            var s1 = s[0].v
            var trend = s[1].v - s[0].v
            for i in 1..<s.count {
                if i > 1 { trend = tf * (s1 - s0) + (1 - tf) * trend }
                let next = sf * s[i].v + (1 - sf) * (s1 + trend)
                s0 = s1
                s1 = next
            }
            return s1
        default:
            return nil
        }
    }

    /// rate/increase/delta: the change across the window, extrapolated to its edges.
    static func extrapolated(_ s: [Sample], _ rangeStart: Int64, _ rangeEnd: Int64, counter: Bool, rate: Bool) -> Double? {
        guard s.count >= 2, let first = s.first, let last = s.last else { return nil }
        var result = last.v - first.v
        if counter {
            var prev = first.v
            for x in s.dropFirst() {
                if x.v < prev { result += prev }
                prev = x.v
            }
        }
        var durationToStart = Double(first.t - rangeStart) / 1000
        var durationToEnd = Double(rangeEnd - last.t) / 1000
        let sampled = Double(last.t - first.t) / 1000
        let average = sampled / Double(s.count - 1)
        let threshold = average * 1.1
        if durationToStart >= threshold { durationToStart = average / 2 }
        if counter && result > 0 && first.v >= 0 {
            let durationToZero = sampled * (first.v / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= threshold { durationToEnd = average / 2 }
        var factor = (sampled + durationToStart + durationToEnd) / sampled
        if rate { factor /= Double(rangeEnd - rangeStart) / 1000 }
        return result * factor
    }

    static func linearRegression(_ s: [Sample], interceptTime: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = KahanSum(), sumY = KahanSum(), sumXY = KahanSum(), sumX2 = KahanSum()
        let initY = s[0].v
        var constY = true
        for (i, x) in s.enumerated() {
            if constY && i > 0 && x.v != initY { constY = false }
            n += 1
            let xv = Double(x.t - interceptTime) / 1000
            sumX.add(xv)
            sumY.add(x.v)
            sumXY.add(xv * x.v)
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
