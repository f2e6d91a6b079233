import Foundation
import MetricModel
import Testing
@testable import TSDB

/// Storage fed with values from outside that used to trap or exhaust memory.
@Suite struct HostileStorageInputTests {
    @Test(arguments: [Int64.max, Int64.min, Milliseconds.limit + 1, -Milliseconds.limit - 1])
    func timestampsBeyondTheLimitAreRefusedOneByOne(t: Int64) throws {
        let head = Head.inMemory()
        var app = head.appender()
        _ = app.append(ref: nil, labels: Labels(["__name__": "m"]), t: t, v: 1)
        _ = app.append(ref: nil, labels: Labels(["__name__": "m"]), t: 1_000, v: 2)
        let report = try app.commit()
        #expect(report.outOfBounds == 1)
        #expect(report.appended == 1)
        #expect(head.select([try LabelMatcher(.equal, "__name__", "m")], mint: .min, maxt: .max).first?.samples() == [Sample(t: 1_000, v: 2)])
    }

    @Test func aWALSeriesRecordWithAHugeReferenceIsRemappedNotAllocated() throws {
        let dir = TempDirectory()
        let wal = try WAL(directory: dir.path + "/wal")
        let huge: SeriesRef = 1 << 40
        try wal.log([
            .series([RefSeries(ref: huge, labels: Labels(["__name__": "m", "s": "huge"])),
                      RefSeries(ref: .max, labels: Labels(["__name__": "m", "s": "max"]))]),
            .samples([RefSample(ref: huge, t: 1_000, v: 1), RefSample(ref: .max, t: 1_000, v: 2), RefSample(ref: 1 << 50, t: 1_000, v: 3)]),
        ])
        wal.close()
        let db = try Database(directory: dir.path)
        let series = db.head.select([try LabelMatcher(.equal, "__name__", "m")], mint: .min, maxt: .max)
        #expect(series.map { $0.labels["s"] } == ["huge", "max"])
        #expect(series.map { $0.samples().map(\.v) } == [[1], [2]])
        #expect(db.head.seriesCount == 2)
        db.close()
    }

    @Test func aReferenceTakenBySnapshotRemappingStillReplaysItsOwnSamples() throws {
        let dir = TempDirectory()
        let wal = try WAL(directory: dir.path + "/wal")
        // Series 5 first: it is restored as 1; then series 1 (another series) must not overwrite it.
        try wal.log([
            .series([RefSeries(ref: 5, labels: Labels(["__name__": "m", "s": "five"]))]),
            .series([RefSeries(ref: 1, labels: Labels(["__name__": "m", "s": "one"]))]),
            .samples([RefSample(ref: 5, t: 1_000, v: 5), RefSample(ref: 1, t: 1_000, v: 1)]),
        ])
        wal.close()
        let db = try Database(directory: dir.path)
        let byName = Dictionary(uniqueKeysWithValues: db.head.select([try LabelMatcher(.equal, "__name__", "m")], mint: .min, maxt: .max)
            .map { ($0.labels["s"], $0.samples().map(\.v)) })
        #expect(byName == ["five": [5], "one": [1]])
        db.close()
    }
}
