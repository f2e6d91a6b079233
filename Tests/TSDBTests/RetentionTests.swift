import MetricModel
import Testing
@testable import TSDB

@Suite struct RetentionTests {
    static func fill(_ db: Database, series: Int, samples: Int, stepMs: Int64) throws {
        var refs = [SeriesRef?](repeating: nil, count: series)
        for i in 0..<samples {
            var app = db.head.appender()
            for s in 0..<series {
                refs[s] = app.append(ref: refs[s], labels: Labels(["__name__": "m", "s": String(s)]), t: Int64(i) * stepMs, v: Double(i))
            }
            _ = try app.commit()
        }
    }

    @Test func timeRetentionDropsChunksOlderThanTheWindow() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.retentionTime = PromDuration(milliseconds: 3_600_000)
        let db = try Database(directory: dir.path, options: options)
        try Self.fill(db, series: 2, samples: 1440, stepMs: 15_000) // six hours
        db.applyRetention()
        let newest = db.head.maxTime
        for s in db.head.select([], mint: .min, maxt: .max) {
            let first = try #require(Array(s.samples()).first)
            // Whole chunks are dropped: at most one chunk (120 samples) older than the window remains.
            #expect(first.t >= newest - 3_600_000 - 120 * 15_000)
            #expect(first.t < newest - 3_600_000 + 15_000 * 120)
        }
    }

    @Test func sizeRetentionDropsTheOldestChunksFirst() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.retentionTime = nil
        let db = try Database(directory: dir.path, options: options)
        try Self.fill(db, series: 20, samples: 1200, stepMs: 15_000)
        try db.checkpoint() // keeps the WAL small so the budget goes to chunks
        let before = db.head.chunkBytes
        let limit = db.walBytes + before / 2
        let limited = try Database.reopen(dir.path, retentionSize: limit)
        limited.applyRetention()
        #expect(limited.head.chunkBytes <= before / 2)
        #expect(limited.head.chunkBytes > 0)
        // The newest data survives.
        #expect(limited.head.maxTime == Int64(1199) * 15_000)
    }

    @Test func seriesWithoutChunksLeaveTheIndex() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.retentionTime = PromDuration(milliseconds: 60_000)
        let db = try Database(directory: dir.path, options: options)
        var app = db.head.appender()
        _ = app.append(ref: nil, labels: Labels(["__name__": "old"]), t: 0, v: 1)
        _ = app.append(ref: nil, labels: Labels(["__name__": "new"]), t: 10_000_000, v: 1)
        _ = try app.commit()
        #expect(db.applyRetention() == 1)
        #expect(db.head.labelValues("__name__", []) == ["new"])
    }
}

extension Database {
    static func reopen(_ path: String, retentionSize: Int) throws -> Database {
        var options = DatabaseOptions()
        options.retentionTime = nil
        options.retentionSize = retentionSize
        return try Database(directory: path, options: options)
    }
}

/// One sample from a target whose clock is wrong must not move "now" for retention.
@Suite struct FutureSampleTests {
    @Test func aSampleFarAheadOfTheClockIsRefusedAndHistoryKept() throws {
        let dir = TempDirectory()
        let now: Int64 = 1_800_000_000_000
        var options = DatabaseOptions()
        options.retentionTime = PromDuration(milliseconds: 3_600_000)
        options.clock = ManualWallClock(startMs: now)
        let db = try Database(directory: dir.path, options: options)
        var app = db.head.appender()
        let labels = Labels(["__name__": "m"])
        let ref = app.append(ref: nil, labels: labels, t: now - 60_000, v: 1)
        #expect(try app.commit().appended == 1)
        // Within the 10 minute window (clock skew): taken.
        _ = app.append(ref: ref, labels: labels, t: now + 5 * 60_000, v: 2)
        #expect(try app.commit().appended == 1)
        // A year ahead: refused, counted as out of bounds.
        _ = app.append(ref: ref, labels: labels, t: now + 365 * 86_400_000, v: 3)
        let report = try app.commit()
        #expect(report.appended == 0 && report.outOfBounds == 1)
        db.applyRetention()
        let kept = db.head.select([], mint: .min, maxt: .max).flatMap { Array($0.samples()) }
        #expect(kept.map(\.v) == [1, 2])
    }
}
