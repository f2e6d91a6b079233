import MetricModel
import Testing
@testable import Exposition

/// Native histograms written in the delimited protobuf format (federation) read back as they were.
@Suite struct ExposedHistogramWritingTests {
    static func family(_ name: String, _ type: ExposedMetricType, _ value: HistogramValue) -> ExposedMetricFamily {
        var metric = ExposedMetric()
        var label = ExposedLabelPair()
        label.name = "job"
        label.value = "model"
        metric.label = [label]
        metric.timestampMs = 1_700_000_000_123
        metric.histogram = ExposedHistogram(native: value)
        var family = ExposedMetricFamily()
        family.name = name
        family.type = type
        family.metric = [metric]
        return family
    }

    @Test func integerFloatGaugeAndEmptyHistogramsReadBackAsWritten() throws {
        let integer = HistogramValue.integer(NativeHistogram(schema: 3, zeroThreshold: 0.001, zeroCount: 2, count: 9, sum: -1.5,
                                                             positiveSpans: [HistogramSpan(offset: -2, length: 2), HistogramSpan(offset: 3, length: 1)],
                                                             positiveDeltas: [1, 2, -1],
                                                             negativeSpans: [HistogramSpan(offset: 0, length: 1)], negativeDeltas: [1]))
        let float = HistogramValue.float(FloatHistogram(counterResetHint: .gauge, schema: 0, zeroCount: 0.5, count: 4.5, sum: 10,
                                                        positiveSpans: [HistogramSpan(offset: 1, length: 2)], positiveBuckets: [1.5, 2.5]))
        let empty = HistogramValue.integer(NativeHistogram(schema: 2, count: 0, sum: 0))
        let body = try DelimitedProtobuf.encode([
            Self.family("latency_seconds", .histogram, integer),
            Self.family("queue_depth", .gaugeHistogram, float),
            Self.family("idle_seconds", .histogram, empty),
        ])
        let families = try ExpositionFamily.decode(body: body, contentType: ExpositionFamily.protobufMediaType + "; proto=io.prometheus.client.MetricFamily; encoding=delimited",
                                                   nativeHistograms: true)
        let read = Dictionary(uniqueKeysWithValues: families.compactMap { f in f.samples.first.flatMap { s in s.histogram.map { (f.name, ($0, s.timestamp, s.labels["job"])) } } })
        #expect(read["latency_seconds"]?.0 == integer)
        #expect(read["queue_depth"]?.0 == float)
        #expect(read["idle_seconds"]?.0.floatHistogram.count == 0, "an empty histogram stays native")
        #expect(read["latency_seconds"]?.1 == 1_700_000_000_123)
        #expect(read["latency_seconds"]?.2 == "model")
        #expect(families.first { $0.name == "queue_depth" }?.type == .gaugehistogram)
    }
}
