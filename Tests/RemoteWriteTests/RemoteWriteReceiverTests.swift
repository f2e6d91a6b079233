import MetricModel
import Snappy
import SwiftProtobuf
import Testing
import TSDB
@testable import RemoteWrite

@Suite struct RemoteWriteReceiverTests {
    typealias Req = Vigil_Remotewrite_V1_WriteRequest

    static func series(_ labels: [(String, String)], _ samples: [(Int64, Double)]) -> Vigil_Remotewrite_V1_TimeSeries {
        var ts = Vigil_Remotewrite_V1_TimeSeries()
        ts.labels = labels.map { l in var x = Vigil_Remotewrite_V1_Label(); x.name = l.0; x.value = l.1; return x }
        ts.samples = samples.map { s in var x = Vigil_Remotewrite_V1_Sample(); x.timestamp = s.0; x.value = s.1; return x }
        return ts
    }

    static func body(_ series: [Vigil_Remotewrite_V1_TimeSeries]) throws -> [UInt8] {
        var r = Req()
        r.timeseries = series
        return Snappy.encode(try r.serializedBytes())
    }

    @Test func storesSamplesIncludingStalenessMarkersAndHistory() throws {
        let head = Head.inMemory()
        let receiver = RemoteWriteReceiver(storage: head)
        let yesterday: Int64 = 1_700_000_000_000 - 86_400_000
        let out = try receiver.receive(compressed: try Self.body([
            Self.series([("__name__", "up"), ("job", "remote")], [(yesterday, 1), (yesterday + 15_000, StaleNaN.value)]),
        ]))
        #expect(out.isComplete)
        #expect(out.report.appended == 2)
        let stored = head.select([try LabelMatcher(.equal, "job", "remote")], mint: .min, maxt: .max)
        let samples = Array(stored[0].samples())
        #expect(samples[0] == Sample(t: yesterday, v: 1))
        #expect(StaleNaN.isStale(samples[1].v))
    }

    @Test func storesNativeHistogramsWithIntegerAndFloatCountsAsTheirKind() throws {
        func span(_ offset: Int32, _ length: UInt32) -> Vigil_Remotewrite_V1_BucketSpan {
            var s = Vigil_Remotewrite_V1_BucketSpan()
            s.offset = offset
            s.length = length
            return s
        }
        var integer = Vigil_Remotewrite_V1_Histogram()
        integer.timestamp = 1_000
        integer.countInt = 7
        integer.sum = 2.5
        integer.schema = 2
        integer.zeroThreshold = 0.001
        integer.zeroCountInt = 1
        integer.positiveSpans = [span(-1, 2), span(3, 1)]
        integer.positiveDeltas = [2, -1, 1]
        integer.negativeSpans = [span(0, 1)]
        integer.negativeDeltas = [1]
        integer.resetHint = .yes
        var float = Vigil_Remotewrite_V1_Histogram()
        float.timestamp = 1_000
        float.countFloat = 2.5
        float.sum = 10
        float.schema = 0
        float.positiveSpans = [span(0, 2)]
        float.positiveCounts = [0.5, 2]
        float.resetHint = .gauge
        var latency = Self.series([("__name__", "latency_seconds")], [])
        latency.histograms = [integer]
        var queue = Self.series([("__name__", "queue_depth")], [])
        queue.histograms = [float]
        let head = Head.inMemory()
        let out = try RemoteWriteReceiver(storage: head).receive(compressed: try Self.body([latency, queue]))
        #expect(out.isComplete, "\(out.summary)")
        #expect(out.histograms == 2)
        #expect(out.report.appendedHistograms == 2)
        let stored = head.select([], mint: .min, maxt: .max)
        let l = try #require(stored.first { $0.labels.metricName == "latency_seconds" }?.histogramSamples().first)
        #expect(l.t == 1_000)
        #expect(l.histogram == NativeHistogram(counterResetHint: .counterReset, schema: 2, zeroThreshold: 0.001, zeroCount: 1, count: 7, sum: 2.5,
                                               positiveSpans: [HistogramSpan(offset: -1, length: 2), HistogramSpan(offset: 3, length: 1)],
                                               positiveDeltas: [2, -1, 1], negativeSpans: [HistogramSpan(offset: 0, length: 1)], negativeDeltas: [1]))
        let q = try #require(stored.first { $0.labels.metricName == "queue_depth" }?.floatHistogramSamples().first)
        #expect(q.histogram == FloatHistogram(counterResetHint: .gauge, schema: 0, count: 2.5, sum: 10,
                                              positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [0.5, 2]))
    }

    @Test func rejectsSamplesOneByOneAndKeepsTheRest() throws {
        let head = Head.inMemory()
        let receiver = RemoteWriteReceiver(storage: head)
        _ = try receiver.receive(compressed: try Self.body([Self.series([("__name__", "m")], [(2000, 1)])]))
        let out = try receiver.receive(compressed: try Self.body([
            Self.series([("__name__", "m")], [(1000, 5), (2000, 9), (3000, 2)]),
            Self.series([("job", "no-name")], [(1000, 1)]),
            Self.series([("__name__", "x"), ("a", "1"), ("a", "2")], [(1000, 1)]),
            Self.series([("__name__", "ok")], [(1000, 1)]),
        ]))
        #expect(!out.isComplete)
        #expect(out.report.outOfOrder == 1)
        #expect(out.report.duplicate == 1)
        #expect(out.invalidSeries == 2)
        #expect(out.report.appended == 2)
        #expect(out.summary.contains("1 out-of-order"))
        #expect(head.labelValues("__name__", []) == ["m", "ok"])
    }

    @Test func refusesTimestampsNearTheInt64LimitsAndStoresTheRest() throws {
        let head = Head.inMemory()
        let receiver = RemoteWriteReceiver(storage: head)
        let out = try receiver.receive(compressed: try Self.body([
            Self.series([("__name__", "m")], [(.min, 1), (1_000, 2), (.max, 3)]),
            Self.series([("__name__", "far")], [(Int64.max - 1, 1)]),
        ]))
        #expect(!out.isComplete)
        #expect(out.report.outOfBounds == 3)
        #expect(out.report.appended == 1)
        #expect(out.summary.contains("3 samples with timestamps out of bounds"))
        // Queries over what was stored run the usual range arithmetic without trapping.
        #expect(head.select([try LabelMatcher(.equal, "__name__", "m")], mint: .min, maxt: .max).first?.samples().map(\.t) == [1_000])
    }

    @Test func refusesUndecodableBodiesWithoutStoringAnything() throws {
        let head = Head.inMemory()
        let receiver = RemoteWriteReceiver(storage: head)
        #expect(throws: RemoteWriteReceiver.RequestError.self) { _ = try receiver.receive(compressed: [1, 2, 3]) }
        #expect(throws: RemoteWriteReceiver.RequestError.self) { _ = try receiver.receive(compressed: Snappy.encode([0xFF, 0xFF, 0xFF])) }
        #expect(head.seriesCount == 0)
    }

    @Test(arguments: [
        (String?.some("application/x-protobuf"), RemoteWriteReceiver.ProtocolVersion?.some(.v1)), (nil, .v1),
        ("application/x-protobuf;proto=prometheus.WriteRequest", .v1),
        ("application/x-protobuf;proto=io.prometheus.write.v2.Request", .v2),
        ("application/x-protobuf; proto=\"io.prometheus.write.v2.Request\"", .v2),
        ("application/x-protobuf;proto=io.prometheus.write.v3.Request", nil), ("application/json", nil),
    ])
    func negotiatesProtocolVersion(contentType: String?, expected: RemoteWriteReceiver.ProtocolVersion?) {
        #expect((try? RemoteWriteReceiver.protocolVersion(contentType: contentType)) == expected)
    }
}
