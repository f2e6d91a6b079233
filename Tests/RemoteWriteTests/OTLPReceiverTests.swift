import Config
import MetricModel
import SwiftProtobuf
import Testing
import TSDB
@testable import RemoteWrite

@Suite struct OTLPReceiverTests {
    typealias Request = Vigil_Otlp_V1_ExportMetricsServiceRequest
    static let t0: UInt64 = 1_700_000_000_123_456_789
    static let t0ms: Int64 = 1_700_000_000_123

    static func kv(_ key: String, _ value: String) -> Vigil_Otlp_V1_KeyValue {
        var kv = Vigil_Otlp_V1_KeyValue()
        kv.key = key
        kv.value.stringValue = value
        return kv
    }

    static func number(_ v: Double, _ attributes: [Vigil_Otlp_V1_KeyValue] = [], flags: UInt32 = 0, at t: UInt64 = t0) -> Vigil_Otlp_V1_NumberDataPoint {
        var p = Vigil_Otlp_V1_NumberDataPoint()
        p.asDouble = v
        p.attributes = attributes
        p.timeUnixNano = t
        p.flags = flags
        return p
    }

    static func request(resource: [Vigil_Otlp_V1_KeyValue] = [kv("service.name", "iris-api"), kv("service.instance.id", "pod-1")],
                        scope: String = "iris", _ metrics: [Vigil_Otlp_V1_Metric]) -> Request {
        var sm = Vigil_Otlp_V1_ScopeMetrics()
        sm.scope.name = scope
        sm.scope.version = "1.0"
        sm.metrics = metrics
        var rm = Vigil_Otlp_V1_ResourceMetrics()
        rm.resource.attributes = resource
        rm.scopeMetrics = [sm]
        var r = Request()
        r.resourceMetrics = [rm]
        return r
    }

    static func sum(_ name: String, unit: String = "", monotonic: Bool = true, temporality: Vigil_Otlp_V1_AggregationTemporality = .cumulative,
                    _ points: [Vigil_Otlp_V1_NumberDataPoint]) -> Vigil_Otlp_V1_Metric {
        var m = Vigil_Otlp_V1_Metric()
        m.name = name
        m.unit = unit
        var s = Vigil_Otlp_V1_Sum()
        s.isMonotonic = monotonic
        s.aggregationTemporality = temporality
        s.dataPoints = points
        m.sum = s
        return m
    }

    static func gauge(_ name: String, unit: String = "", _ points: [Vigil_Otlp_V1_NumberDataPoint]) -> Vigil_Otlp_V1_Metric {
        var m = Vigil_Otlp_V1_Metric()
        m.name = name
        m.unit = unit
        var g = Vigil_Otlp_V1_Gauge()
        g.dataPoints = points
        m.gauge = g
        return m
    }

    static func receive(_ request: Request, config: OTLPConfig = OTLPConfig(), into head: Head = Head.inMemory()) throws -> (OTLPReceiver.Outcome, Head) {
        let receiver = OTLPReceiver(storage: head, config: config)
        return (try receiver.receive(try request.serializedBytes(), encoding: .protobuf), head)
    }

    static func stored(_ head: Head, _ matchers: [(String, String)]) throws -> [(Labels, [Sample])] {
        try head.select(matchers.map { try LabelMatcher(.equal, $0.0, $0.1) }, mint: .min, maxt: .max).map { ($0.labels, Array($0.samples())) }
    }

    @Test func countersAndGaugesBecomeSeriesWithJobInstanceAndTranslatedNames() throws {
        let (out, head) = try Self.receive(Self.request([
            Self.sum("model.predictions", unit: "{prediction}", [Self.number(7, [Self.kv("species", "setosa"), Self.kv("model.version", "3")])]),
            Self.gauge("process.memory.usage", unit: "By", [Self.number(1024)]),
            Self.sum("http.server.active_requests", monotonic: false, [Self.number(2)]),
        ]))
        #expect(out.rejectedDataPoints == 0)
        #expect(out.report.appended == 3)
        let counter = try Self.stored(head, [("__name__", "model_predictions_total")])
        #expect(counter.count == 1)
        #expect(counter[0].0 == Labels(["__name__": "model_predictions_total", "job": "iris-api", "instance": "pod-1",
                                         "species": "setosa", "model_version": "3"]))
        #expect(counter[0].1 == [Sample(t: Self.t0ms, v: 7)])
        #expect(try Self.stored(head, [("__name__", "process_memory_usage_bytes")]).first?.1 == [Sample(t: Self.t0ms, v: 1024)])
        #expect(try Self.stored(head, [("__name__", "http_server_active_requests")]).count == 1, "a non-monotonic sum is a gauge: no _total")
        #expect(try Self.stored(head, [("__name__", "target_info")]).isEmpty, "only identifying resource attributes: no target_info")
    }

    @Test func targetInfoCarriesTheOtherResourceAttributesAndPromotedOnesLabelEverySeries() throws {
        var config = OTLPConfig()
        config.promoteResourceAttributes = ["deployment.environment"]
        let resource = [Self.kv("service.name", "iris-api"), Self.kv("service.namespace", "ml"), Self.kv("service.instance.id", "pod-1"),
                        Self.kv("deployment.environment", "prod"), Self.kv("host.name", "gpu-7")]
        let (_, head) = try Self.receive(Self.request(resource: resource, [
            Self.gauge("a", [Self.number(1, at: Self.t0)]),
            Self.gauge("b", [Self.number(2, [Self.kv("deployment.environment", "override")], at: Self.t0 + 5_000_000_000)]),
        ]), config: config)
        let info = try Self.stored(head, [("__name__", "target_info")])
        #expect(info.count == 1)
        #expect(info.first?.0 == Labels(["__name__": "target_info", "job": "ml/iris-api", "instance": "pod-1",
                                         "deployment_environment": "prod", "host_name": "gpu-7"]))
        #expect(info.first?.1 == [Sample(t: Self.t0ms + 5_000, v: 1)], "at the resource's newest point")
        #expect(try Self.stored(head, [("__name__", "a")]).first?.0["deployment_environment"] == "prod")
        #expect(try Self.stored(head, [("__name__", "b")]).first?.0["deployment_environment"] == "override", "the point's own attribute wins")
        #expect(try Self.stored(head, [("__name__", "a")]).first?.0.has("host_name") == false, "not promoted")
    }

    @Test func promoteAllLeavesOutIgnoredAttributesAndKeepIdentifyingKeepsServiceAttributes() throws {
        var config = OTLPConfig()
        config.promoteAllResourceAttributes = true
        config.ignoreResourceAttributes = ["host.name"]
        config.keepIdentifyingResourceAttributes = true
        let resource = [Self.kv("service.name", "iris-api"), Self.kv("host.name", "gpu-7"), Self.kv("cloud.region", "eu")]
        let (_, head) = try Self.receive(Self.request(resource: resource, [Self.gauge("a", [Self.number(1)])]), config: config)
        let a = try #require(try Self.stored(head, [("__name__", "a")]).first?.0)
        #expect(a["cloud_region"] == "eu")
        #expect(a["service_name"] == "iris-api")
        #expect(!a.has("host_name"))
        let info = try #require(try Self.stored(head, [("__name__", "target_info")]).first?.0)
        #expect(info["service_name"] == "iris-api")
        #expect(info["host_name"] == "gpu-7")
    }

    @Test func scopeMetadataLabelsSeriesOnlyWhenAskedFor() throws {
        var config = OTLPConfig()
        let plain = try Self.receive(Self.request([Self.gauge("a", [Self.number(1)])])).1
        #expect(try Self.stored(plain, [("__name__", "a")]).first?.0.has("otel_scope_name") == false)
        config.promoteScopeMetadata = true
        let scoped = try Self.receive(Self.request([Self.gauge("a", [Self.number(1)])]), config: config).1
        let labels = try #require(try Self.stored(scoped, [("__name__", "a")]).first?.0)
        #expect(labels["otel_scope_name"] == "iris")
        #expect(labels["otel_scope_version"] == "1.0")
    }

    @Test func attributesThatMapToOneLabelNameJoinTheirValuesInKeyOrder() throws {
        let (_, head) = try Self.receive(Self.request([
            Self.gauge("a", [Self.number(1, [Self.kv("x.y", "dot"), Self.kv("x-y", "dash"), Self.kv("count", "")])]),
        ]))
        let labels = try #require(try Self.stored(head, [("__name__", "a")]).first?.0)
        #expect(labels["x_y"] == "dash;dot")
        #expect(!labels.has("count"), "an empty value is no label")
    }

    @Test func nonStringAttributesBecomeTheirTextAndJSON() throws {
        var list = Vigil_Otlp_V1_AnyValue()
        var one = Vigil_Otlp_V1_AnyValue()
        one.intValue = 1
        var two = Vigil_Otlp_V1_AnyValue()
        two.stringValue = "b\"c"
        list.arrayValue.values = [one, two]
        var attrs = [Self.kv("arr", "")]
        attrs[0].value = list
        var flag = Self.kv("flag", "")
        flag.value.boolValue = true
        var ratio = Self.kv("ratio", "")
        ratio.value.doubleValue = 0.25
        let (_, head) = try Self.receive(Self.request([Self.gauge("a", [Self.number(1, attrs + [flag, ratio])])]))
        let labels = try #require(try Self.stored(head, [("__name__", "a")]).first?.0)
        #expect(labels["arr"] == #"[1,"b\"c"]"#)
        #expect(labels["flag"] == "true")
        #expect(labels["ratio"] == "0.25")
    }

    @Test func histogramsBecomeCumulativeBucketsSumAndCount() throws {
        var m = Vigil_Otlp_V1_Metric()
        m.name = "model.inference.duration"
        m.unit = "ms"
        var p = Vigil_Otlp_V1_HistogramDataPoint()
        p.timeUnixNano = Self.t0
        p.explicitBounds = [5, 10, 100]
        p.bucketCounts = [1, 2, 0, 1]
        p.count = 4
        p.sum = 340
        m.histogram.aggregationTemporality = .cumulative
        m.histogram.dataPoints = [p]
        let (out, head) = try Self.receive(Self.request([m]))
        #expect(out.rejectedDataPoints == 0)
        let buckets = try Self.stored(head, [("__name__", "model_inference_duration_milliseconds_bucket")])
        let byLE = Dictionary(uniqueKeysWithValues: buckets.map { ($0.0["le"], $0.1.first?.v) })
        #expect(byLE == ["5": 1, "10": 3, "100": 3, "+Inf": 4])
        #expect(try Self.stored(head, [("__name__", "model_inference_duration_milliseconds_sum")]).first?.1.first?.v == 340)
        #expect(try Self.stored(head, [("__name__", "model_inference_duration_milliseconds_count")]).first?.1.first?.v == 4)
    }

    @Test func summariesBecomeQuantileSumAndCountSeries() throws {
        var m = Vigil_Otlp_V1_Metric()
        m.name = "rpc.latency"
        m.unit = "s"
        var p = Vigil_Otlp_V1_SummaryDataPoint()
        p.timeUnixNano = Self.t0
        p.count = 10
        p.sum = 2.5
        var q = Vigil_Otlp_V1_SummaryDataPoint.ValueAtQuantile()
        q.quantile = 0.99
        q.value = 0.7
        p.quantileValues = [q]
        m.summary.dataPoints = [p]
        let (_, head) = try Self.receive(Self.request([m]))
        #expect(try Self.stored(head, [("__name__", "rpc_latency_seconds"), ("quantile", "0.99")]).first?.1.first?.v == 0.7)
        #expect(try Self.stored(head, [("__name__", "rpc_latency_seconds_count")]).first?.1.first?.v == 10)
        #expect(try Self.stored(head, [("__name__", "rpc_latency_seconds_sum")]).first?.1.first?.v == 2.5)
    }

    @Test func deltaSumsTooCoarseExponentialHistogramsAndBadBucketsAreRefusedPointByPointWithTheReason() throws {
        var expo = Vigil_Otlp_V1_Metric()
        expo.name = "latency"
        expo.exponentialHistogram.aggregationTemporality = .cumulative
        var coarse = Vigil_Otlp_V1_ExponentialHistogramDataPoint()
        coarse.scale = -5
        expo.exponentialHistogram.dataPoints = [coarse]
        var bad = Vigil_Otlp_V1_Metric()
        bad.name = "sizes"
        var p = Vigil_Otlp_V1_HistogramDataPoint()
        p.explicitBounds = [1, 2]
        p.bucketCounts = [1, 2]
        bad.histogram.aggregationTemporality = .cumulative
        bad.histogram.dataPoints = [p]
        let (out, head) = try Self.receive(Self.request([
            Self.sum("requests", temporality: .delta, [Self.number(1), Self.number(2)]),
            expo, bad,
            Self.gauge("kept", [Self.number(1)]),
        ]))
        #expect(out.rejectedPoints == 4)
        #expect(out.errorMessage.contains("delta sums are not stored"))
        #expect(out.errorMessage.contains("scale -5 is below -4"))
        #expect(out.errorMessage.contains("2 bucket counts for 2 bounds"))
        #expect(head.labelValues("__name__", []) == ["kept"])
        let response = try Vigil_Otlp_V1_ExportMetricsServiceResponse(serializedBytes: OTLPReceiver.responseBody(out, encoding: .protobuf))
        #expect(response.partialSuccess.rejectedDataPoints == 4)
        #expect(response.partialSuccess.errorMessage == out.errorMessage)
    }

    static func exponential(_ name: String, unit: String = "", _ points: [Vigil_Otlp_V1_ExponentialHistogramDataPoint]) -> Vigil_Otlp_V1_Metric {
        var m = Vigil_Otlp_V1_Metric()
        m.name = name
        m.unit = unit
        m.exponentialHistogram.aggregationTemporality = .cumulative
        m.exponentialHistogram.dataPoints = points
        return m
    }

    static func buckets(_ offset: Int32, _ counts: [UInt64]) -> Vigil_Otlp_V1_ExponentialHistogramDataPoint.Buckets {
        var b = Vigil_Otlp_V1_ExponentialHistogramDataPoint.Buckets()
        b.offset = offset
        b.bucketCounts = counts
        return b
    }

    @Test func exponentialHistogramsBecomeNativeHistogramsWithPrometheusBucketIndexes() throws {
        var p = Vigil_Otlp_V1_ExponentialHistogramDataPoint()
        p.timeUnixNano = Self.t0
        p.scale = 3
        p.count = 12
        p.sum = 4.5
        p.zeroCount = 1
        p.zeroThreshold = 0.001
        // OTLP buckets 2, 3, (two empty), 6, (three empty), 10: one span with two zeros inside, then another.
        p.positive = Self.buckets(2, [1, 2, 0, 0, 3, 0, 0, 0, 1])
        p.negative = Self.buckets(-1, [0, 4])
        let (out, head) = try Self.receive(Self.request([Self.exponential("rpc.latency", unit: "s", [p])]))
        #expect(out.rejectedPoints == 0, "\(out.errorMessage)")
        let series = try #require(head.select([try LabelMatcher(.equal, "__name__", "rpc_latency_seconds")], mint: .min, maxt: .max).first)
        #expect(series.labels["job"] == "iris-api")
        let h = try #require(series.histogramSamples().first)
        #expect(h.t == Self.t0ms)
        #expect(h.histogram == NativeHistogram(schema: 3, zeroThreshold: 0.001, zeroCount: 1, count: 12, sum: 4.5,
                                               positiveSpans: [HistogramSpan(offset: 3, length: 5), HistogramSpan(offset: 3, length: 1)],
                                               positiveDeltas: [1, 1, -2, 0, 3, -2],
                                               negativeSpans: [HistogramSpan(offset: 1, length: 1)], negativeDeltas: [4]))
    }

    @Test func scalesFinerThanEightMergeBucketsDownToSchemaEight() throws {
        var p = Vigil_Otlp_V1_ExponentialHistogramDataPoint()
        p.timeUnixNano = Self.t0
        p.scale = 10
        p.count = 10
        p.sum = 10
        // OTLP indexes -5…2 at scale 10 fall into floor(i/4) = -2, -1, -1, -1, -1, 0, 0, 0 at scale 8.
        p.positive = Self.buckets(-5, [1, 1, 1, 1, 1, 2, 2, 1])
        let (out, head) = try Self.receive(Self.request([Self.exponential("ratio", [p])]))
        #expect(out.rejectedPoints == 0)
        let h = try #require(head.select([], mint: .min, maxt: .max).first?.histogramSamples().first?.histogram)
        #expect(h.schema == 8)
        #expect(h.positiveSpans == [HistogramSpan(offset: -1, length: 3)])
        #expect(NativeHistogram.absoluteCounts(h.positiveDeltas) == [1, 4, 5])
        #expect(h.inconsistency == nil)
    }

    @Test func withConvertHistogramsToNHCBExplicitBucketsBecomeOneCustomBucketsHistogram() throws {
        var p = Vigil_Otlp_V1_HistogramDataPoint()
        p.timeUnixNano = Self.t0
        p.explicitBounds = [5, 10, 50]
        p.bucketCounts = [2, 0, 2, 1]
        p.count = 5
        p.sum = 343
        var m = Vigil_Otlp_V1_Metric()
        m.name = "model.inference.duration"
        m.unit = "ms"
        m.histogram.aggregationTemporality = .cumulative
        m.histogram.dataPoints = [p]
        var config = OTLPConfig()
        config.convertHistogramsToNHCB = true
        let (out, head) = try Self.receive(Self.request([m]), config: config)
        #expect(out.rejectedPoints == 0, "\(out.errorMessage)")
        #expect(head.labelValues("__name__", []) == ["model_inference_duration_milliseconds"], "one series, no _bucket/_sum/_count")
        let h = try #require(head.select([], mint: .min, maxt: .max).first?.histogramSamples().first?.histogram)
        #expect(h == NativeHistogram(schema: -53, count: 5, sum: 343, positiveSpans: [HistogramSpan(offset: 0, length: 4)],
                                     positiveDeltas: [2, -2, 2, -1], customValues: [5, 10, 50]))
        #expect(h.description.hasSuffix("-Inf,5]:2, (10,50]:2, (50,+Inf]:1}"), "\(h.description)")
    }

    @Test func anExponentialPointWithNoRecordedValueIsAHistogramStalenessMarker() throws {
        var p = Vigil_Otlp_V1_ExponentialHistogramDataPoint()
        p.timeUnixNano = Self.t0
        p.count = 3
        p.positive = Self.buckets(0, [3])
        var gone = Vigil_Otlp_V1_ExponentialHistogramDataPoint()
        gone.timeUnixNano = Self.t0 + 15_000_000_000
        gone.flags = 1
        let (_, head) = try Self.receive(Self.request([Self.exponential("ratio", [p, gone])]))
        let samples = try #require(head.select([], mint: .min, maxt: .max).first?.histogramSamples())
        #expect(samples.count == 2)
        #expect(StaleNaN.isStale(samples[1].histogram.sum))
    }

    @Test func aPointWithNoRecordedValueIsAStalenessMarker() throws {
        let head = Head.inMemory()
        _ = try Self.receive(Self.request([Self.gauge("a", [Self.number(5)])]), into: head)
        _ = try Self.receive(Self.request([Self.gauge("a", [Self.number(0, flags: 1, at: Self.t0 + 1_000_000_000)])]), into: head)
        let samples = try #require(try Self.stored(head, [("__name__", "a")]).first?.1)
        #expect(samples.count == 2)
        #expect(StaleNaN.isStale(samples[1].v))
    }

    @Test func storageRefusalsAreCountedInThePartialSuccess() throws {
        let head = Head.inMemory()
        _ = try Self.receive(Self.request([Self.gauge("a", [Self.number(5, at: Self.t0 + 1_000_000_000)])]), into: head)
        let (out, _) = try Self.receive(Self.request([Self.gauge("a", [Self.number(6)])]), into: head)
        #expect(out.rejectedDataPoints == 1)
        #expect(out.errorMessage.contains("1 out-of-order samples"))
    }

    /// The OTLP/HTTP JSON encoding: lowerCamelCase fields, 64-bit integers as strings, enums as
    /// numbers, hex trace ids in exemplars, and fields this receiver does not know.
    @Test func readsTheJSONEncoding() throws {
        let json = """
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
          "scopeMetrics":[{"scope":{"name":"lib"},"metrics":[
            {"name":"jobs.done","unit":"{job}","futureField":1,"sum":{"aggregationTemporality":2,"isMonotonic":true,
              "dataPoints":[{"timeUnixNano":"1700000000123456789","asInt":"42",
                "exemplars":[{"timeUnixNano":"1700000000000000000","asDouble":1,"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}],
                "attributes":[{"key":"queue","value":{"stringValue":"gpu"}}]}]}}]}]}]}
        """
        let head = Head.inMemory()
        let out = try OTLPReceiver(storage: head, config: OTLPConfig()).receive(Array(json.utf8), encoding: .json)
        #expect(out.rejectedDataPoints == 0)
        let stored = try Self.stored(head, [("__name__", "jobs_done_total")])
        #expect(stored.first?.0 == Labels(["__name__": "jobs_done_total", "job": "svc", "queue": "gpu"]))
        #expect(stored.first?.1 == [Sample(t: Self.t0ms, v: 42)])
        #expect(String(decoding: OTLPReceiver.responseBody(out, encoding: .json), as: UTF8.self) == "{}")
    }

    @Test func anUnreadableBodyIsRefusedWholeAndStoresNothing() throws {
        let head = Head.inMemory()
        let receiver = OTLPReceiver(storage: head, config: OTLPConfig())
        #expect(throws: OTLPReceiver.RequestError.self) { try receiver.receive([0xFF, 0xFF, 0xFF], encoding: .protobuf) }
        #expect(throws: OTLPReceiver.RequestError.self) { try receiver.receive(Array("{\"resourceMetrics\": 3}".utf8), encoding: .json) }
        #expect(head.labelValues("__name__", []).isEmpty)
    }

    @Test func theContentTypeChoosesTheEncoding() throws {
        #expect(try OTLPReceiver.encoding(contentType: "application/x-protobuf") == .protobuf)
        #expect(try OTLPReceiver.encoding(contentType: nil) == .protobuf)
        #expect(try OTLPReceiver.encoding(contentType: "application/json; charset=utf-8") == .json)
        #expect(throws: OTLPReceiver.RequestError.self) { try OTLPReceiver.encoding(contentType: "text/plain") }
    }
}
