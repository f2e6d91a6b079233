import MetricModel
import Snappy
import SwiftProtobuf
import Testing
import TSDB
@testable import RemoteWrite

@Suite struct RemoteWriteReceiverV2Tests {
    typealias Series = Vigil_Remotewrite_V2_TimeSeries

    /// A request whose symbols table is built from the series' label pairs, as a 2.0 sender does.
    struct RequestBuilder {
        var request = Vigil_Remotewrite_V2_Request()
        var index: [String: UInt32] = ["": 0]

        init() { request.symbols = [""] }

        mutating func ref(_ s: String) -> UInt32 {
            if let r = index[s] { return r }
            let r = UInt32(request.symbols.count)
            request.symbols.append(s)
            index[s] = r
            return r
        }

        mutating func add(_ labels: [(String, String)], samples: [(Int64, Double)], histograms: Int = 0, exemplars: Int = 0,
                          created: Int64 = 0, metadata: (Vigil_Remotewrite_V2_Metadata.MetricType, String, String)? = nil) {
            var ts = Series()
            for (name, value) in labels { ts.labelsRefs += [ref(name), ref(value)] }
            ts.samples = samples.map { var s = Vigil_Remotewrite_V2_Sample(); s.timestamp = $0.0; s.value = $0.1; return s }
            ts.histograms = (0..<histograms).map { i in var h = Vigil_Remotewrite_V2_Histogram(); h.timestamp = Int64(i); h.countInt = 1; return h }
            ts.exemplars = (0..<exemplars).map { _ in Vigil_Remotewrite_V2_Exemplar() }
            ts.createdTimestamp = created
            if let (type, help, unit) = metadata {
                ts.metadata.type = type
                ts.metadata.helpRef = ref(help)
                ts.metadata.unitRef = ref(unit)
            }
            request.timeseries.append(ts)
        }

        func body() throws -> [UInt8] { Snappy.encode(try request.serializedBytes()) }
    }

    static func samples(_ head: Head, _ name: String) throws -> [Sample] {
        try head.select([try LabelMatcher(.equal, "__name__", name)], mint: .min, maxt: .max).flatMap { Array($0.samples()) }
    }

    @Test func storesSamplesThroughTheSymbolsTableAndKeepsMetadata() throws {
        var b = RequestBuilder()
        b.add([("__name__", "model_requests_total"), ("job", "api"), ("instance", "a:1")], samples: [(1000, 1), (2000, 3)],
              exemplars: 1, metadata: (.counter, "Requests handled.", ""))
        b.add([("__name__", "model_up"), ("job", "api")], samples: [(1000, 1)], metadata: (.gauge, "", "seconds"))
        let head = Head.inMemory()
        let out = try RemoteWriteReceiver(storage: head).receive(compressed: try b.body(), version: .v2)
        #expect(out.isComplete)
        #expect(out.samplesWritten == 3)
        #expect(out.exemplars == 1)
        #expect(try Self.samples(head, "model_requests_total") == [Sample(t: 1000, v: 1), Sample(t: 2000, v: 3)])
        let stored = head.select([try LabelMatcher(.equal, "__name__", "model_requests_total")], mint: .min, maxt: .max)
        #expect(stored.first?.labels == Labels(["__name__": "model_requests_total", "job": "api", "instance": "a:1"]))
        #expect(out.metadata["model_requests_total"] == RemoteWriteMetadata(type: "counter", help: "Requests handled.", unit: ""))
        #expect(out.metadata["model_up"] == RemoteWriteMetadata(type: "gauge", help: "", unit: "seconds"))
    }

    @Test func badLabelReferencesRefuseTheirSeriesOnly() throws {
        var b = RequestBuilder()
        b.add([("__name__", "ok")], samples: [(1000, 1)])
        b.add([("__name__", "odd")], samples: [(1000, 1)])
        b.request.timeseries[1].labelsRefs.append(0)
        b.add([("__name__", "far")], samples: [(1000, 1)])
        b.request.timeseries[2].labelsRefs[1] = 999
        b.add([("job", "nameless")], samples: [(1000, 1)])
        let head = Head.inMemory()
        let out = try RemoteWriteReceiver(storage: head).receive(compressed: try b.body(), version: .v2)
        #expect(out.invalidSeries == 3)
        #expect(out.firstInvalid.contains("odd number"))
        #expect(!out.isComplete)
        #expect(out.samplesWritten == 1)
        #expect(head.labelValues("__name__", []) == ["ok"])
    }

    @Test func nativeHistogramSamplesAreStoredBesideFloatsAndCountedApart() throws {
        var b = RequestBuilder()
        b.add([("__name__", "latency")], samples: [], histograms: 2)
        b.add([("__name__", "floats")], samples: [(1000, 1)])
        let head = Head.inMemory()
        let out = try RemoteWriteReceiver(storage: head).receive(compressed: try b.body(), version: .v2)
        #expect(out.histograms == 2)
        #expect(out.isComplete)
        #expect(out.samplesWritten == 1)
        #expect(out.histogramsWritten == 2)
        #expect(head.labelValues("__name__", []) == ["floats", "latency"])
        let latency = try #require(head.select([try LabelMatcher(.equal, "__name__", "latency")], mint: .min, maxt: .max).first)
        #expect(latency.histogramSamples().map(\.t) == [0, 1])
        #expect(latency.histogramSamples().map(\.histogram.count) == [1, 1])
    }

    @Test func anInconsistentHistogramIsRefusedAloneAndNamedInTheReply() throws {
        var b = RequestBuilder()
        b.add([("__name__", "latency")], samples: [], histograms: 2)
        // Two buckets announced, one count given.
        b.request.timeseries[0].histograms[1].positiveSpans = [{ var s = Vigil_Remotewrite_V2_BucketSpan(); s.length = 2; return s }()]
        b.request.timeseries[0].histograms[1].positiveDeltas = [1]
        let head = Head.inMemory()
        let out = try RemoteWriteReceiver(storage: head).receive(compressed: try b.body(), version: .v2)
        #expect(!out.isComplete)
        #expect(out.report.invalid == 1)
        #expect(out.histogramsWritten == 1)
        #expect(out.summary.contains("1 inconsistent native histograms"), "\(out.summary)")
    }

    @Test func createdTimestampsBecomeZeroSamplesOnlyWhenEnabledAndOnlyOnce() throws {
        func request(_ samples: [(Int64, Double)]) throws -> [UInt8] {
            var b = RequestBuilder()
            b.add([("__name__", "jobs_total")], samples: samples, created: 500)
            return try b.body()
        }
        let plain = Head.inMemory()
        _ = try RemoteWriteReceiver(storage: plain).receive(compressed: try request([(1000, 4)]), version: .v2)
        #expect(try Self.samples(plain, "jobs_total") == [Sample(t: 1000, v: 4)])

        let head = Head.inMemory()
        let receiver = RemoteWriteReceiver(storage: head, ingestCreatedTimestamps: true)
        let first = try receiver.receive(compressed: try request([(1000, 4)]), version: .v2)
        #expect(first.createdTimestampSamples == 1)
        #expect(first.samplesWritten == 1, "the zero sample is not one the sender sent")
        let again = try receiver.receive(compressed: try request([(2000, 6)]), version: .v2)
        #expect(again.isComplete, "the created timestamp sent again is behind what is stored and dropped silently")
        #expect(again.createdTimestampSamples == 0)
        #expect(try Self.samples(head, "jobs_total") == [Sample(t: 500, v: 0), Sample(t: 1000, v: 4), Sample(t: 2000, v: 6)])
    }

    @Test func aBodyThatIsNotARequestIsRefusedWhole() throws {
        let head = Head.inMemory()
        #expect(throws: RemoteWriteReceiver.RequestError.self) {
            _ = try RemoteWriteReceiver(storage: head).receive(compressed: Snappy.encode([0x2A, 0xFF, 0xFF, 0xFF]), version: .v2)
        }
        #expect(head.seriesCount == 0)
    }

    @Test func theReceivedMetadataStoreKeepsTheNewestPerMetric() {
        let store = ReceivedMetadata()
        store.record(["a": RemoteWriteMetadata(type: "counter", help: "old", unit: "")])
        store.record(["a": RemoteWriteMetadata(type: "counter", help: "new", unit: ""), "b": RemoteWriteMetadata(type: "gauge", help: "", unit: "")])
        #expect(store.all["a"]?.help == "new")
        #expect(store.all.count == 2)
    }
}
