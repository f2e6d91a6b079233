import Foundation
import Logging
import MetricModel
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

    /// The push API stores no native histograms yet: one reaching the storage is a test failure.
    mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, histogram: HistogramValue) -> SeriesRef {
        Issue.record("unexpected histogram sample for \(labels)")
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
