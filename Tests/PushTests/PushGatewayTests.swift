import Exposition
import Foundation
import Logging
import MetricModel
import SwiftProtobuf
import Synchronization
import TSDB
import Testing
@testable import Push

/// Storage that records every committed sample.
final class RecordingStorage: Appendable {
    struct Sample: Equatable, Sendable {
        var labels: Labels
        var t: Int64
        var v: Double
        var histogram: HistogramValue?
        var isStale: Bool { StaleNaN.isStale(v) }
    }

    let committed = Mutex<[Sample]>([])

    func appender() -> any Appender { RecordingAppender(storage: self) }

    /// The samples committed at `t`, by series.
    func samples(at t: Int64) -> [Labels: Double] {
        var out: [Labels: Double] = [:]
        for s in committed.withLock({ $0 }) where s.t == t { out[s.labels] = s.v }
        return out
    }

    var times: [Int64] { Array(Set(committed.withLock { $0.map(\.t) })).sorted() }
}

struct RecordingAppender: Appender {
    let storage: RecordingStorage
    var pending: [RecordingStorage.Sample] = []
    var unknown: [RefSample] = []

    mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, v: Double) -> SeriesRef {
        pending.append(.init(labels: labels, t: t, v: v))
        return labels.stableHash
    }

    /// The push API always appends by labels; a sample by reference alone is handed back as a
    /// storage that forgot the series would.
    mutating func append(known ref: SeriesRef, t: Int64, v: Double) {
        unknown.append(RefSample(ref: ref, t: t, v: v))
    }

    mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, histogram: HistogramValue) -> SeriesRef {
        pending.append(.init(labels: labels, t: t, v: 0, histogram: histogram))
        return labels.stableHash
    }

    mutating func commit() throws(StorageIOError) -> AppendReport {
        let batch = pending
        storage.committed.withLock { $0 += batch }
        pending = []
        var report = AppendReport()
        report.unknownSeries = unknown
        unknown = []
        return report
    }

    mutating func rollback() {
        pending = []
        unknown = []
    }
}

let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

@Suite struct PushGatewayTests {
    private let text = "text/plain; version=0.0.4"

    @Test func anAcceptedPushIsStoredAtOnceWithItsTimeSeries() throws {
        let storage = RecordingStorage()
        let clock = ManualWallClock(startMs: 10_000)
        let gateway = PushGateway(storage: storage, file: nil, clock: clock, logger: quiet)
        try gateway.push(path: "job/train", method: .replaceGroup, body: Array("loss 0.25\n".utf8), contentType: text)
        #expect(storage.samples(at: 10_000) == [
            Labels(["__name__": "loss", "job": "train"]): 0.25,
            Labels(["__name__": "push_time_seconds", "job": "train"]): 10,
            Labels(["__name__": "push_failure_time_seconds", "job": "train"]): 0,
        ])
    }

    @Test func everyIngestStoresEveryGroupAgainAtTheCurrentTime() throws {
        let storage = RecordingStorage()
        let clock = ManualWallClock(startMs: 10_000)
        let gateway = PushGateway(storage: storage, file: nil, clock: clock, logger: quiet)
        try gateway.push(path: "job/a", method: .replaceGroup, body: Array("x 1\n".utf8), contentType: text)
        try gateway.push(path: "job/b", method: .replaceGroup, body: Array("y 2\n".utf8), contentType: text)
        clock.set(25_000)
        #expect(try gateway.ingest() == 6)
        #expect(storage.samples(at: 25_000).count == 6)
        #expect(storage.samples(at: 25_000)[Labels(["__name__": "y", "job": "b"])] == 2)
    }

    @Test func seriesAPushDeleteOrExpiryTakesAwayGetAStalenessMarker() throws {
        let storage = RecordingStorage()
        let clock = ManualWallClock(startMs: 10_000)
        let gateway = PushGateway(storage: storage, file: nil, expireAfterMs: 60_000, clock: clock, logger: quiet)
        try gateway.push(path: "job/a", method: .replaceGroup, body: Array("x 1\nold 1\n".utf8), contentType: text)
        clock.set(11_000)
        try gateway.push(path: "job/a", method: .replaceGroup, body: Array("x 2\n".utf8), contentType: text)
        #expect(storage.samples(at: 11_000)[Labels(["__name__": "old", "job": "a"])].map(StaleNaN.isStale) == true)
        #expect(storage.samples(at: 11_000)[Labels(["__name__": "x", "job": "a"])] == 2)

        try gateway.push(path: "job/b", method: .replaceGroup, body: Array("y 1\n".utf8), contentType: text)
        clock.set(12_000)
        try gateway.delete(path: "job/b")
        let deleted = storage.samples(at: 12_000)
        #expect(deleted.count == 3 && deleted.values.allSatisfy(StaleNaN.isStale))

        clock.set(80_000)
        try gateway.ingest()
        let expired = storage.samples(at: 80_000)
        #expect(expired.count == 3 && expired.values.allSatisfy(StaleNaN.isStale))
        #expect(gateway.groups.isEmpty)
    }

    @Test func aRefusedPushStoresOnlyTheFailureTime() throws {
        let storage = RecordingStorage()
        let clock = ManualWallClock(startMs: 10_000)
        let gateway = PushGateway(storage: storage, file: nil, clock: clock, logger: quiet)
        try gateway.push(path: "job/a", method: .replaceGroup, body: Array("x 1\n".utf8), contentType: text)
        clock.set(20_000)
        #expect(throws: PushError.self) {
            try gateway.push(path: "job/a", method: .replaceGroup, body: Array("x 2 123\n".utf8), contentType: text)
        }
        #expect(storage.samples(at: 20_000) == [
            Labels(["__name__": "push_time_seconds", "job": "a"]): 10,
            Labels(["__name__": "push_failure_time_seconds", "job": "a"]): 20,
        ])
        // An unreadable body changes nothing, not even the failure time.
        clock.set(30_000)
        #expect(throws: PushError.self) { try gateway.push(path: "job/a", method: .replaceGroup, body: Array("x{ 2\n".utf8), contentType: text) }
        #expect(storage.samples(at: 30_000).isEmpty)
    }

    /// A delimited protobuf body with one histogram in both forms: native at schema 3 (buckets
    /// 1…2 and two observations in the zero bucket) and classic buckets 0.1 and +Inf.
    static func nativeHistogramBody() throws -> [UInt8] {
        var h = ExposedHistogram()
        h.sampleCount = 10
        h.sampleSum = 2.5
        h.schema = 3
        h.zeroThreshold = 1e-128
        h.zeroCount = 2
        var span = ExposedBucketSpan()
        span.offset = 1
        span.length = 2
        h.positiveSpan = [span]
        h.positiveDelta = [3, 2]
        var b1 = ExposedBucket(), b2 = ExposedBucket()
        b1.upperBound = 0.1
        b1.cumulativeCount = 2
        b2.upperBound = .infinity
        b2.cumulativeCount = 10
        h.bucket = [b1, b2]
        var m = ExposedMetric()
        m.histogram = h
        var f = ExposedMetricFamily()
        f.name = "epoch_seconds"
        f.type = .histogram
        f.metric = [m]
        let message: [UInt8] = try f.serializedBytes()
        return [UInt8(message.count)] + message
    }

    @Test func nativeHistogramPushesAreStoredAsHistogramsWhenNativeHistogramsAreOnAndSurviveARestart() throws {
        let dir = NSTemporaryDirectory() + "push-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/push-groups.json"
        let body = try Self.nativeHistogramBody()
        let contentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
        let name = Labels(["__name__": "epoch_seconds", "job": "train"])

        // Off (the default): the classic form only, as before.
        let classic = RecordingStorage()
        try PushGateway(storage: classic, file: nil, clock: ManualWallClock(startMs: 10_000), logger: quiet)
            .push(path: "job/train", method: .replaceGroup, body: body, contentType: contentType)
        #expect(classic.committed.withLock { $0 }.allSatisfy { $0.histogram == nil })
        #expect(classic.samples(at: 10_000)[Labels(["__name__": "epoch_seconds_count", "job": "train"])] == 10)

        // On: the native histogram alone, as Prometheus stores it from the Pushgateway.
        let storage = RecordingStorage()
        let gateway = PushGateway(storage: storage, file: file, clock: ManualWallClock(startMs: 10_000), logger: quiet)
        gateway.setNativeHistograms(true, classic: false)
        try gateway.push(path: "job/train", method: .replaceGroup, body: body, contentType: contentType)
        let stored = storage.committed.withLock { $0 }.filter { $0.labels.metricName.hasPrefix("epoch_seconds") }
        #expect(stored.map(\.labels) == [name], "\(stored)")
        guard case .integer(let h)? = stored.first?.histogram else {
            Issue.record("no integer histogram stored: \(stored)")
            return
        }
        #expect(h.count == 10 && h.sum == 2.5 && h.zeroCount == 2 && h.schema == 3 && h.positiveDeltas == [3, 2])
        gateway.saveIfChanged()

        // With the classic buckets asked for too, both forms; and the file brings the histogram back.
        let both = RecordingStorage()
        let restarted = PushGateway(storage: both, file: file, clock: ManualWallClock(startMs: 50_000), logger: quiet)
        try restarted.ingest()
        #expect(both.committed.withLock { $0 }.first { $0.labels == name }?.histogram == .integer(h))
        restarted.setNativeHistograms(true, classic: true)
        try restarted.push(path: "job/train", method: .replaceGroup, body: body, contentType: contentType)
        let latest = both.committed.withLock { $0 }.filter { $0.t == 50_001 }
        #expect(latest.contains { $0.labels == name && $0.histogram == .integer(h) })
        #expect(latest.contains { $0.labels == Labels(["__name__": "epoch_seconds_bucket", "job": "train", "le": "0.1"]) && $0.v == 2 })
    }

    @Test func twoPushesInOneMillisecondStillMoveForward() throws {
        let storage = RecordingStorage()
        let gateway = PushGateway(storage: storage, file: nil, clock: ManualWallClock(startMs: 10_000), logger: quiet)
        try gateway.push(path: "job/a", method: .replaceGroup, body: Array("x 1\n".utf8), contentType: text)
        try gateway.push(path: "job/a", method: .replaceGroup, body: Array("x 2\n".utf8), contentType: text)
        #expect(storage.times == [10_000, 10_001])
    }

    @Test func groupsSurviveARestartAndADamagedFileIsKeptAside() throws {
        let dir = NSTemporaryDirectory() + "push-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/push-groups.json"
        let first = PushGateway(storage: RecordingStorage(), file: file, clock: ManualWallClock(startMs: 10_000), logger: quiet)
        try first.push(path: "job/train/instance/w1", method: .replaceGroup, body: Array("loss 0.5\n".utf8), contentType: text)
        first.saveIfChanged()

        let storage = RecordingStorage()
        let second = PushGateway(storage: storage, file: file, clock: ManualWallClock(startMs: 50_000), logger: quiet)
        #expect(second.groups.map(\.key.labels) == [Labels(["job": "train", "instance": "w1"])])
        try second.ingest()
        #expect(storage.samples(at: 50_000)[Labels(["__name__": "push_time_seconds", "job": "train", "instance": "w1"])] == 10)

        try Data("{not json".utf8).write(to: URL(fileURLWithPath: file))
        let third = PushGateway(storage: RecordingStorage(), file: file, clock: ManualWallClock(startMs: 60_000), logger: quiet)
        #expect(third.groups.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).contains("push-groups.json.damaged-60000"))
    }
}
