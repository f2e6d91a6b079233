import MetricModel
import Testing
import TSDB
@testable import PromQL

/// Range queries evaluated series by series must equal the step-wise evaluation bit for bit,
/// annotations and errors included.
@Suite struct SeriesMajorRangeTests {
    /// Counters with resets, gaps, staleness markers, NaN and a gauge, on two jobs and three
    /// instances; `mono_total` never resets nor goes stale (rate() skips its reset scan).
    static let head: Head = {
        let head = Head.inMemory()
        var app = head.appender()
        var rng = SplitMix(seed: 42)
        for name in ["req_total", "temperature", "other_total", "mono_total"] {
            for job in ["api", "db"] {
                for instance in 0..<3 {
                    let labels = Labels(["__name__": name, "job": job, "instance": "i\(instance)"])
                    var value = 0.0
                    var t: Int64 = 0
                    while t < 3_600_000 {
                        t += 10_000 + Int64(rng.next() % 10_000)
                        let roll = rng.next() % 100
                        if roll < 3 { continue }                                   // a gap
                        if roll < 5 && name != "mono_total" { _ = app.append(ref: nil, labels: labels, t: t, v: StaleNaN.value); continue }
                        if roll < 7 && name != "temperature" && name != "mono_total" { value = 0 } // a counter reset
                        if roll == 7 { _ = app.append(ref: nil, labels: labels, t: t, v: .nan); continue }
                        value += name == "temperature" ? Double(Int(rng.next() % 200)) / 10 - 10 : Double(rng.next() % 50) / 3
                        _ = app.append(ref: nil, labels: labels, t: t, v: value)
                    }
                }
            }
        }
        _ = try? app.commit()
        return head
    }()

    @Test(arguments: [
        "rate(req_total[5m])", "increase(req_total[2m])", "delta(temperature[5m])", "irate(req_total[1m])",
        "deriv(temperature[10m])", "resets(req_total[15m])", "changes(temperature[5m])",
        "avg_over_time(temperature[5m])", "sum_over_time(temperature[3m])", "count_over_time(req_total[1m])",
        "min_over_time(temperature[5m])", "max_over_time(temperature[5m])", "last_over_time(req_total[5m])",
        "stddev_over_time(temperature[10m])", "mad_over_time(temperature[10m])", "present_over_time(req_total[30s])",
        "rate(temperature[5m])", "sum by (job) (rate(req_total[5m]))", "avg by (instance) (rate(req_total[5m]))",
        "max without (instance) (avg_over_time(temperature[5m]))", "min(rate(req_total[5m] offset 10m))",
        "count by (job) (rate(req_total[5m]))", "group by (job) (irate(req_total[1m]))", "sum(rate(req_total[5m] @ 1800))",
        "sum by (__name__) (rate({__name__=~\".+_total\"}[5m]))", "rate({__name__=~\".+_total\"}[5m])",
        "last_over_time({__name__=~\".+_total\"}[5m])", "(sum without (job) ((rate(req_total[5m]))))",
        // Series-major parts inside step-wise operators.
        "sum by (job) (rate(req_total[5m])) / on (job) sum by (job) (rate(other_total[5m]))", "topk(2, rate(req_total[5m]))",
        "limitk(1, sum by (instance) (rate(req_total[5m])))", "-sum(rate(req_total[5m]))", "rate(req_total[5m]) > 0.5",
        "max_over_time(rate(req_total[5m])[10m:1m])", "label_replace(rate(req_total[5m]), \"x\", \"$1\", \"instance\", \"i(.)\")",
        "count(rate(req_total[5m]) > 1) or vector(0)",
        "rate(mono_total[5m])", "increase(mono_total[2m])", "sum by (job) (rate(mono_total[1m]))", "resets(mono_total[10m])",
    ])
    func equalsStepwiseEvaluation(query: String) {
        var stepwise = QueryOptions()
        stepwise.seriesMajorRanges = false
        let fast = Result { () throws(QueryError) in try Engine().prepareRange(query, start: 600_000, end: 3_600_000, step: 15_000, querier: Self.head).run() }
        let slow = Result { () throws(QueryError) in try Engine(options: stepwise).prepareRange(query, start: 600_000, end: 3_600_000, step: 15_000, querier: Self.head).run() }
        switch (fast, slow) {
        case (.success(let a), .success(let b)):
            #expect(a.value == b.value)
            #expect(a.warnings == b.warnings)
            #expect(a.infos == b.infos)
            if case .matrix(let m) = a.value { #expect(!m.isEmpty) }
        case (.failure(let a), .failure(let b)):
            #expect(a == b)
        default:
            Issue.record("one evaluation failed, the other did not: \(fast) vs \(slow)")
        }
    }
}

/// A small deterministic generator, so the data is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
