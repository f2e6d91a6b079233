import MetricModel
import Testing
@testable import HTTPAPI

/// Which format `/federate` answers in, by the reader's `Accept` header.
@Suite struct FederationNegotiationTests {
    @Test(arguments: [
        // Prometheus 2 with native histograms on: protobuf first.
        ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2", true),
        // Prometheus 3's default scrape protocols: text formats only.
        ("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,*/*;q=0.2", false),
        // Protobuf offered below a text format, or with quality 0, or another message type.
        ("text/plain;version=0.0.4;q=0.9,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5", false),
        ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;q=0", false),
        ("application/vnd.google.protobuf;proto=other.Message", false),
        ("", false),
        ("*/*", false),
        ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", true),
    ])
    func theReaderGetsProtobufOnlyWhenItPrefersIt(accept: String, protobuf: Bool) {
        #expect(FederatedSamples.prefersProtobuf(accept: accept) == protobuf)
    }

    @Test func textLeavesNativeHistogramsOutAndProtobufLeavesOutOnlyCustomBuckets() throws {
        let exponential = HistogramValue.integer(NativeHistogram(schema: 0, count: 1, sum: 1, positiveSpans: [HistogramSpan(offset: 1, length: 1)], positiveDeltas: [1]))
        let custom = HistogramValue.integer(NativeHistogram(schema: NativeHistogram.customBucketsSchema, count: 1, sum: 1,
                                                            positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveDeltas: [1], customValues: [1]))
        var samples = FederatedSamples()
        samples.series = [
            (Labels(["__name__": "a_seconds", "job": "j"]), 1000, .histogram(exponential)),
            (Labels(["__name__": "b_seconds", "job": "j"]), 1000, .histogram(custom)),
            (Labels(["__name__": "up", "job": "j"]), 1000, .float(1)),
        ]
        let text = String(decoding: samples.exposition(), as: UTF8.self)
        #expect(text == "# TYPE up untyped\nup{job=\"j\"} 1 1000\n")
        let body = try samples.delimitedProtobuf(escaping: .underscores)
        let printed = String(decoding: body, as: UTF8.self)
        #expect(printed.contains("a_seconds") && printed.contains("up") && !printed.contains("b_seconds"))
    }
}
