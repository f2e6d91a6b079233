import Foundation
import Config
import MetricModel
import Testing
import TSDB
@testable import RemoteWrite

/// `--enable-feature=otlp-deltatocumulative`: delta points stored as the cumulative series
/// Prometheus keeps, stream by stream, with a fake clock for staleness.
@Suite struct OTLPDeltaAccumulatorTests {
    typealias R = OTLPReceiverTests
    static let second: UInt64 = 1_000_000_000

    /// A delta point covering (start, end], seconds after t0.
    static func delta(_ v: Double, _ start: UInt64, _ end: UInt64, _ attributes: [Vigil_Otlp_V1_KeyValue] = []) -> Vigil_Otlp_V1_NumberDataPoint {
        var p = R.number(v, attributes, at: R.t0 + end * second)
        p.startTimeUnixNano = R.t0 + start * second
        return p
    }

    static func receiver(_ head: Head, _ streams: OTLPDeltaStreams, _ clock: ManualWallClock) -> OTLPReceiver {
        OTLPReceiver(storage: head, config: OTLPConfig(), deltaStreams: streams, clock: clock)
    }

    @Test func deltaSumsAddUpPerStreamIntoCountersWithTheFirstStart() throws {
        let head = Head.inMemory()
        let streams = OTLPDeltaStreams()
        let receiver = Self.receiver(head, streams, ManualWallClock(startMs: 0))
        let setosa = [R.kv("species", "setosa")], virginica = [R.kv("species", "virginica")]
        var outcome = try receiver.append(R.request([R.sum("model.predictions", temporality: .delta, [Self.delta(2, 0, 10, setosa), Self.delta(1, 0, 10, virginica)])]))
        #expect(outcome.rejectedDataPoints == 0)
        outcome = try receiver.append(R.request([R.sum("model.predictions", temporality: .delta, [Self.delta(3, 10, 20, setosa)])]))
        outcome = try receiver.append(R.request([R.sum("model.predictions", temporality: .delta, [Self.delta(0, 20, 30, setosa), Self.delta(4, 20, 30, virginica)])]))
        #expect(outcome.rejectedDataPoints == 0)
        let stored = try R.stored(head, [("__name__", "model_predictions_total"), ("species", "setosa")])
        #expect(stored.first?.1.map(\.v) == [2, 5, 5])
        // A gap (virginica sent nothing for (10, 20]) is not a reset: its total goes on.
        #expect(try R.stored(head, [("__name__", "model_predictions_total"), ("species", "virginica")]).first?.1.map(\.v) == [1, 5])
        #expect(streams.count == 2)
    }

    @Test func anOverlappingRepeatedOrOlderPointIsRefusedAndTheTotalKept() throws {
        let head = Head.inMemory()
        let receiver = Self.receiver(head, OTLPDeltaStreams(), ManualWallClock(startMs: 0))
        _ = try receiver.append(R.request([R.sum("jobs", temporality: .delta, [Self.delta(5, 0, 10)])]))
        for point in [Self.delta(5, 0, 10), Self.delta(1, 5, 15), Self.delta(1, 0, 5)] {
            let outcome = try receiver.append(R.request([R.sum("jobs", temporality: .delta, [point])]))
            #expect(outcome.rejectedDataPoints == 1)
            #expect(outcome.errorMessage.contains("does not follow the last one taken"), "\(outcome.errorMessage)")
        }
        _ = try receiver.append(R.request([R.sum("jobs", temporality: .delta, [Self.delta(2, 10, 20)])]))
        #expect(try R.stored(head, [("__name__", "jobs_total")]).first?.1.map(\.v) == [5, 7])
    }

    @Test func aNonMonotonicDeltaSumBecomesAGaugeOfItsRunningTotal() throws {
        let head = Head.inMemory()
        let receiver = Self.receiver(head, OTLPDeltaStreams(), ManualWallClock(startMs: 0))
        _ = try receiver.append(R.request([R.sum("queue.depth", monotonic: false, temporality: .delta, [Self.delta(4, 0, 10)])]))
        _ = try receiver.append(R.request([R.sum("queue.depth", monotonic: false, temporality: .delta, [Self.delta(-3, 10, 20)])]))
        #expect(try R.stored(head, [("__name__", "queue_depth")]).first?.1.map(\.v) == [4, 1])
    }

    static func histogramPoint(_ bounds: [Double], _ counts: [UInt64], sum: Double, _ start: UInt64, _ end: UInt64) -> Vigil_Otlp_V1_HistogramDataPoint {
        var p = Vigil_Otlp_V1_HistogramDataPoint()
        p.startTimeUnixNano = R.t0 + start * second
        p.timeUnixNano = R.t0 + end * second
        p.explicitBounds = bounds
        p.bucketCounts = counts
        p.count = counts.reduce(0, +)
        p.sum = sum
        p.min = 1
        return p
    }

    static func histogram(_ points: [Vigil_Otlp_V1_HistogramDataPoint]) -> Vigil_Otlp_V1_Metric {
        var m = Vigil_Otlp_V1_Metric()
        m.name = "model.inference.duration"
        m.unit = "ms"
        m.histogram.aggregationTemporality = .delta
        m.histogram.dataPoints = points
        return m
    }

    @Test func deltaHistogramsAddBucketByBucketAndANewLayoutStartsAgain() throws {
        let head = Head.inMemory()
        let receiver = Self.receiver(head, OTLPDeltaStreams(), ManualWallClock(startMs: 0))
        _ = try receiver.append(R.request([Self.histogram([Self.histogramPoint([5, 10], [1, 0, 1], sum: 20, 0, 10)])]))
        _ = try receiver.append(R.request([Self.histogram([Self.histogramPoint([5, 10], [2, 1, 0], sum: 11, 10, 20)])]))
        func newest(_ suffix: String, le: String? = nil) throws -> Double? {
            try R.stored(head, [("__name__", "model_inference_duration_milliseconds" + suffix)] + (le.map { [("le", $0)] } ?? [])).first?.1.last?.v
        }
        #expect(try newest("_bucket", le: "5") == 3)
        #expect(try newest("_bucket", le: "10") == 4)
        #expect(try newest("_bucket", le: "+Inf") == 5)
        #expect(try newest("_count") == 5)
        #expect(try newest("_sum") == 31)
        // Other bounds: the stream starts again from that point (a counter reset for Prometheus).
        _ = try receiver.append(R.request([Self.histogram([Self.histogramPoint([5, 10, 50], [1, 0, 0, 0], sum: 2, 20, 30)])]))
        #expect(try newest("_count") == 1)
        #expect(try newest("_bucket", le: "50") == 1)
    }

    static func exponentialPoint(scale: Int32, _ positive: Vigil_Otlp_V1_ExponentialHistogramDataPoint.Buckets, zero: UInt64 = 0,
                                 sum: Double, _ start: UInt64, _ end: UInt64) -> Vigil_Otlp_V1_ExponentialHistogramDataPoint {
        var p = Vigil_Otlp_V1_ExponentialHistogramDataPoint()
        p.startTimeUnixNano = R.t0 + start * second
        p.timeUnixNano = R.t0 + end * second
        p.scale = scale
        p.positive = positive
        p.zeroCount = zero
        p.count = positive.bucketCounts.reduce(zero, +)
        p.sum = sum
        return p
    }

    @Test func deltaExponentialHistogramsAddAtTheCoarserScale() throws {
        let head = Head.inMemory()
        let receiver = Self.receiver(head, OTLPDeltaStreams(), ManualWallClock(startMs: 0))
        var first = R.exponential("latency", unit: "s", [Self.exponentialPoint(scale: 1, R.buckets(0, [1, 2]), zero: 1, sum: 3, 0, 10)])
        first.exponentialHistogram.aggregationTemporality = .delta
        // Scale 0 after scale 1 (the SDK starts each delta export afresh): OTLP's scale-1 buckets
        // 0 and 1, (1, 2^0.5] and (2^0.5, 2], both fall in its scale-0 bucket 0, (1, 2]; the second
        // point adds (2, 4] and (8, 16].
        var second = R.exponential("latency", unit: "s", [Self.exponentialPoint(scale: 0, R.buckets(1, [1, 0, 4]), sum: 20, 10, 20)])
        second.exponentialHistogram.aggregationTemporality = .delta
        #expect(try receiver.append(R.request([first])).rejectedDataPoints == 0)
        #expect(try receiver.append(R.request([second])).rejectedDataPoints == 0)
        let samples = try #require(try head.select([LabelMatcher(.equal, "__name__", "latency_seconds")], mint: .min, maxt: .max).first)
        let newest = try #require(samples.histogramSamples().last?.histogram.floatHistogram)
        #expect(newest.count == 9)
        #expect(newest.sum == 23)
        #expect(newest.schema == 0)
        #expect(newest.zeroCount == 1)
        #expect(newest.populatedBuckets.map(\.upper) == [0, 2, 4, 16], "the zero bucket, then (1, 2], (2, 4] and (8, 16]")
        #expect(newest.populatedBuckets.map(\.count) == [1, 3, 1, 4])
    }

    /// What the SDK sends when each delta export holds one observation: scale 20, one bucket.
    /// Added up, the buckets of 3 ms and 7 ms lie a million scale-20 buckets apart; the total
    /// goes to the scale where both fit in 160 buckets, each still in a bucket that holds it.
    @Test func farApartDeltasAddUpAtAScaleWhereTheirBucketsFit() throws {
        let head = Head.inMemory()
        let receiver = Self.receiver(head, OTLPDeltaStreams(), ManualWallClock(startMs: 0))
        func single(_ v: Double, _ start: UInt64, _ end: UInt64) -> Vigil_Otlp_V1_Metric {
            // OTLP's bucket i at scale s holds (2^(i/2^s), 2^((i+1)/2^s)].
            let index = Int32((Foundation.log2(v) * Double(1 << 20)).rounded(.up)) - 1
            var m = R.exponential("inference", unit: "ms", [Self.exponentialPoint(scale: 20, R.buckets(index, [1]), sum: v, start, end)])
            m.exponentialHistogram.aggregationTemporality = .delta
            return m
        }
        #expect(try receiver.append(R.request([single(3, 0, 10)])).rejectedDataPoints == 0)
        #expect(try receiver.append(R.request([single(7, 10, 20)])).rejectedDataPoints == 0)
        #expect(try receiver.append(R.request([single(300, 20, 30)])).rejectedDataPoints == 0)
        let series = try #require(try head.select([LabelMatcher(.equal, "__name__", "inference_milliseconds")], mint: .min, maxt: .max).first)
        let newest = try #require(series.histogramSamples().last?.histogram.floatHistogram)
        #expect(newest.count == 3 && newest.sum == 310, "nothing lost: \(newest)")
        for v in [3.0, 7, 300] {
            #expect(newest.populatedBuckets.contains { $0.lower < v && v <= $0.upper && $0.count == 1 }, "\(v) in \(newest)")
        }
    }

    @Test func silentStreamsAreForgottenAfterFiveMinutesAndNewStreamsBeyondTheLimitRefused() throws {
        let head = Head.inMemory()
        let streams = OTLPDeltaStreams(maxStreams: 2)
        let clock = ManualWallClock(startMs: 0)
        let receiver = Self.receiver(head, streams, clock)
        _ = try receiver.append(R.request([R.sum("a", temporality: .delta, [Self.delta(1, 0, 10, [R.kv("k", "1")]), Self.delta(1, 0, 10, [R.kv("k", "2")])])]))
        let refused = try receiver.append(R.request([R.sum("a", temporality: .delta, [Self.delta(1, 0, 10, [R.kv("k", "3")])])]))
        #expect(refused.rejectedDataPoints == 1 && refused.errorMessage.contains("more than 2 delta streams"), "\(refused.errorMessage)")
        clock.advance(by: 4 * 60_000)
        _ = try receiver.append(R.request([R.sum("a", temporality: .delta, [Self.delta(1, 10, 20, [R.kv("k", "1")])])]))
        clock.advance(by: 2 * 60_000)
        _ = try receiver.append(R.request([R.sum("a", temporality: .delta, [Self.delta(1, 20, 30, [R.kv("k", "1")])])]))
        #expect(streams.count == 1, "k=2 was silent for six minutes")
        #expect(try R.stored(head, [("__name__", "a_total"), ("k", "1")]).first?.1.map(\.v) == [1, 2, 3])
    }

    @Test func withoutTheFeatureDeltaPointsAreStillRefused() throws {
        let (outcome, head) = try R.receive(R.request([R.sum("jobs", temporality: .delta, [Self.delta(5, 0, 10)])]))
        #expect(outcome.rejectedDataPoints == 1)
        #expect(outcome.errorMessage.contains("--enable-feature=otlp-deltatocumulative"), "\(outcome.errorMessage)")
        #expect(head.labelValues("__name__", []).isEmpty)
    }
}
