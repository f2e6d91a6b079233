import Foundation
import MetricModel

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

/// The range functions over one series' samples in a window: no evaluator needed.
extension RangeFunction {
    static func value<S: SampleRun>(_ name: RangeFunction, _ s: S, rangeStart: Int64, rangeEnd: Int64, evalTime: Int64, params: [Double]) -> Double? {
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
        case .stddevOverTime: return Statistics.variance(s.values).squareRoot()
        case .stdvarOverTime: return Statistics.variance(s.values)
        case .quantileOverTime: return Statistics.quantile(params[0], s.values)
        case .madOverTime:
            let values = s.values
            if values.contains(where: \.isNaN) { return .nan }
            let median = Statistics.quantile(0.5, values)
            return Statistics.quantile(0.5, values.map { abs($0 - median) })
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
        return result * extrapolationFactor(firstT: firstT, lastT: lastT, count: n, firstValue: firstV, change: result,
                                            rangeStart, rangeEnd, counter: counter, rate: rate)
    }

    /// What the change between a window's first and last sample (`count` samples, the first
    /// worth `firstValue`) is multiplied by to cover the whole window — or, for a rate, each
    /// second of it. The change is extrapolated to the window's edges unless the samples stop
    /// well short of one (then by half an interval), and a counter not below zero.
    @inline(__always)
    static func extrapolationFactor(firstT: Int64, lastT: Int64, count n: Int, firstValue: Double, change: Double,
                                    _ rangeStart: Int64, _ rangeEnd: Int64, counter: Bool, rate: Bool) -> Double {
        var durationToStart = Double(firstT - rangeStart) / 1000
        var durationToEnd = Double(rangeEnd - lastT) / 1000
        let sampled = Double(lastT - firstT) / 1000
        let average = sampled / Double(n - 1)
        let threshold = average * 1.1
        if durationToStart >= threshold { durationToStart = average / 2 }
        if counter && change > 0 && firstValue >= 0 {
            let durationToZero = sampled * (firstValue / change)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= threshold { durationToEnd = average / 2 }
        var factor = (sampled + durationToStart + durationToEnd) / sampled
        if rate { factor /= Double(rangeEnd - rangeStart) / 1000 }
        return factor
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
