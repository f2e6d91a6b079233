import Config
import Exposition
import MetricModel
import SwiftProtobuf
import Testing
import TSDB
@testable import Scrape

extension Harness {
    /// One scrape of a delimited protobuf body.
    @discardableResult
    mutating func scrape(protobuf families: [ExposedMetricFamily], at t: Int64) throws -> ScrapeIngest {
        var body: [UInt8] = []
        for family in families {
            let message: [UInt8] = try family.serializedBytes()
            var n = UInt64(message.count)
            while n >= 0x80 {
                body.append(UInt8(n & 0x7F) | 0x80)
                n >>= 7
            }
            body.append(UInt8(n))
            body += message
        }
        return try scrape(bytes: body, at: t, format: .protobuf)
    }

    func histograms(_ name: String) throws -> [HistogramSample] {
        try head.select([try LabelMatcher(.equal, "__name__", name)], mint: .min, maxt: .max).flatMap { $0.histogramSamples() }
    }
}

/// Scrapes in the protobuf format: native histograms stored as such, classic series beside them
/// only when asked for, the bucket limits, staleness.
@Suite struct ScrapeProcessorProtobufTests {
    static func span(_ offset: Int32, _ length: UInt32) -> ExposedBucketSpan {
        var s = ExposedBucketSpan()
        s.offset = offset
        s.length = length
        return s
    }

    /// A latency histogram in both forms: native at schema 3 (buckets 1…4 on the positive side,
    /// two observations in the zero bucket) and classic buckets 0.1 and 1.
    static func latency(_ n: UInt64, gauge: Bool = false) -> ExposedMetricFamily {
        var h = ExposedHistogram()
        h.sampleCount = 10 * n
        h.sampleSum = Double(n) * 2.5
        h.schema = 3
        h.zeroThreshold = 1e-128
        h.zeroCount = 2 * n
        h.positiveSpan = [span(1, 4)]
        h.positiveDelta = [Int64(n), Int64(n), 0, 0]
        var b1 = ExposedBucket(), b2 = ExposedBucket()
        b1.upperBound = 0.1
        b1.cumulativeCount = 2 * n
        b2.upperBound = 1
        b2.cumulativeCount = 5 * n
        h.bucket = [b1, b2]
        var m = ExposedMetric()
        var l = ExposedLabelPair()
        l.name = "model"
        l.value = "iris"
        m.label = [l]
        m.histogram = h
        var f = ExposedMetricFamily()
        f.name = "inference_seconds"
        f.help = "Inference time."
        f.type = gauge ? .gaugeHistogram : .histogram
        f.metric = [m]
        return f
    }

    static func counter(_ v: Double) -> ExposedMetricFamily {
        var m = ExposedMetric()
        m.counter.value = v
        var f = ExposedMetricFamily()
        f.name = "predictions_total"
        f.type = .counter
        f.metric = [m]
        return f
    }

    static func protobufJob(_ c: inout ScrapeConfig) { c.scrapeProtocols = ["PrometheusProto"] }

    @Test func nativeHistogramsAreStoredAsHistogramsAndFloatsAsFloats() throws {
        var h = Harness(Self.protobufJob)
        let r = try h.scrape(protobuf: [Self.latency(1), Self.counter(3)], at: 1000)
        #expect(r.samplesScraped == 2)
        try h.scrape(protobuf: [Self.latency(2), Self.counter(5)], at: 2000)
        let stored = try h.histograms("inference_seconds")
        #expect(stored.map(\.t) == [1000, 2000])
        #expect(stored.map(\.histogram.count) == [10, 20])
        #expect(stored[1].histogram.positiveSpans == [HistogramSpan(offset: 1, length: 4)])
        #expect(try h.samples("predictions_total").values.first == [Sample(t: 1000, v: 3), Sample(t: 2000, v: 5)])
        // Only the native form: no classic series.
        #expect(try h.samples("inference_seconds_bucket").isEmpty)
        #expect(try h.samples("inference_seconds_count").isEmpty)
        let labels = try #require(h.head.select([try LabelMatcher(.equal, "__name__", "inference_seconds")], mint: .min, maxt: .max).first?.labels)
        #expect(labels == Labels(["__name__": "inference_seconds", "model": "iris", "job": "model-api", "instance": "api:8000"]))
    }

    @Test func alwaysScrapeClassicHistogramsKeepsTheClassicSeriesBesideTheNativeOne() throws {
        var h = Harness {
            $0.scrapeProtocols = ["PrometheusProto"]
            $0.nativeHistograms.alwaysScrapeClassicHistograms = true
        }
        try h.scrape(protobuf: [Self.latency(1)], at: 1000)
        #expect(try h.histograms("inference_seconds").count == 1)
        #expect(try h.samples("inference_seconds_bucket").count == 3, "0.1, 1 and +Inf")
        #expect(try h.samples("inference_seconds_count").values.first == [Sample(t: 1000, v: 10)])
    }

    @Test func withoutNativeHistogramsTheClassicFormIsStored() throws {
        var h = Harness {
            $0.scrapeProtocols = ["PrometheusProto"]
            $0.nativeHistograms.scrapeNativeHistograms = false
        }
        try h.scrape(protobuf: [Self.latency(1)], at: 1000)
        #expect(try h.histograms("inference_seconds").isEmpty)
        #expect(try h.samples("inference_seconds_bucket").count == 3)
    }

    @Test func aGaugeHistogramIsStoredWithTheGaugeHint() throws {
        var h = Harness(Self.protobufJob)
        try h.scrape(protobuf: [Self.latency(3, gauge: true)], at: 1000)
        try h.scrape(protobuf: [Self.latency(1, gauge: true)], at: 2000)
        #expect(try h.histograms("inference_seconds").map(\.histogram.counterResetHint) == [.gauge, .gauge], "a gauge going down is no reset")
    }

    @Test func aVanishedHistogramGetsAHistogramStalenessMarker() throws {
        var h = Harness(Self.protobufJob)
        try h.scrape(protobuf: [Self.latency(1), Self.counter(1)], at: 1000)
        try h.scrape(protobuf: [Self.counter(2)], at: 2000)
        let stored = try h.histograms("inference_seconds")
        #expect(stored.count == 2)
        #expect(StaleNaN.isStale(stored[1].histogram.sum))
        #expect(try h.samples("inference_seconds").values.allSatisfy(\.isEmpty), "no float marker")
    }

    @Test func theBucketLimitLowersTheResolutionAndFailsTheScrapeWhenNothingFits() throws {
        var h = Harness {
            $0.scrapeProtocols = ["PrometheusProto"]
            $0.nativeHistograms.bucketLimit = 2
        }
        try h.scrape(protobuf: [Self.latency(1)], at: 1000)
        let stored = try #require(try h.histograms("inference_seconds").first?.histogram)
        #expect(stored.schema < 3)
        #expect(stored.positiveSpans.bucketCount <= 2)
        #expect(stored.count == 10, "no observation lost")

        var tiny = Harness {
            $0.scrapeProtocols = ["PrometheusProto"]
            $0.nativeHistograms.bucketLimit = 1
        }
        var wide = Self.latency(1)
        wide.metric[0].histogram.negativeSpan = [Self.span(1, 1)]
        wide.metric[0].histogram.negativeDelta = [1]
        wide.metric[0].histogram.sampleCount = 11
        #expect(throws: ScrapeError.self) { try tiny.scrape(protobuf: [wide], at: 1000) }
        #expect(try tiny.histograms("inference_seconds").isEmpty, "a failed scrape stores nothing")
    }

    @Test func theMinimumBucketFactorCoarsensTheSchema() throws {
        var h = Harness {
            $0.scrapeProtocols = ["PrometheusProto"]
            $0.nativeHistograms.minBucketFactor = 1.1
        }
        try h.scrape(protobuf: [Self.latency(1)], at: 1000)
        // 2^(2^-3) ≈ 1.09 is below 1.1: schema 2 (≈ 1.19) is the finest that grows fast enough.
        #expect(try h.histograms("inference_seconds").first?.histogram.schema == 2)
    }

    @Test func anInconsistentNativeHistogramIsRefusedAloneAndTheRestStored() throws {
        var h = Harness(Self.protobufJob)
        var broken = Self.latency(1)
        broken.metric[0].histogram.positiveDelta = [1]
        let r = try h.scrape(protobuf: [broken, Self.counter(1)], at: 1000)
        #expect(r.samplesScraped == 2)
        #expect(try h.histograms("inference_seconds").isEmpty)
        #expect(try h.samples("predictions_total").count == 1)
    }

    @Test func utf8NamesInProtobufAreStoredUnlessTheJobIsLegacy() throws {
        var family = Self.counter(2)
        family.name = "model.predictions_total"
        var label = ExposedLabelPair()
        label.name = "data.split"
        label.value = "eval"
        family.metric[0].label = [label]
        var h = Harness(Self.protobufJob)
        try h.scrape(protobuf: [family], at: 1000)
        #expect(try h.samples("model.predictions_total").keys.first?["data.split"] == "eval")
        var legacy = Harness { c in
            Self.protobufJob(&c)
            c.nameSchemes = MetricNameSchemes(validation: .legacy, escaping: .underscores)
        }
        #expect(throws: ScrapeError.self) { try legacy.scrape(protobuf: [family], at: 1000) }
    }

    @Test func theAcceptHeaderOffersProtobufFirstWhenListedFirst() {
        let accept = ScrapeClient.acceptHeader(["PrometheusProto", "OpenMetricsText1.0.0"], escaping: .underscores)
        #expect(accept.hasPrefix("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;escaping=underscores;q=0.5,"))
        #expect(ExpositionFormat(contentType: "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited") == .protobuf)
        #expect(ExpositionFormat(contentType: "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text") == .text)
    }
}
