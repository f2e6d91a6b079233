import Foundation
import MetricModel
import Testing
@testable import TSDB

/// Blocks cut from the head: written in Prometheus' format, read back across head and blocks,
/// surviving restarts, deleted by retention.
@Suite struct BlockTests {
    static let hour: Int64 = 3_600_000

    /// `series` series sampled every 15 s from `start` for `hours` hours, values varying per step.
    static func fill(_ db: Database, series: Int, from start: Int64 = 0, hours: Int64, name: String = "m") throws -> [Labels: [Sample]] {
        var expected: [Labels: [Sample]] = [:]
        var refs = [SeriesRef?](repeating: nil, count: series)
        let steps = Int(hours * hour / 15_000)
        for step in 0..<steps {
            var app = db.head.appender()
            let t = start + Int64(step) * 15_000
            for s in 0..<series {
                let labels = Labels(["__name__": name, "instance": "host-\(s)", "job": "node"])
                let v = Double(step * (s + 1)) + (s % 2 == 0 ? 0.25 : 0)
                refs[s] = app.append(ref: refs[s], labels: labels, t: t, v: v)
                expected[labels, default: []].append(Sample(t: t, v: v))
            }
            _ = try app.commit()
        }
        return expected
    }

    static func everything(_ q: any Querier) -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for s in q.select([], mint: .min, maxt: .max) { out[s.labels] = s.samples() }
        return out
    }

    @Test func theHeadIsCutIntoTwoHourBlocksOnceItSpansThreeHours() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        let expected = try Self.fill(db, series: 5, hours: 5)
        #expect(try db.compactHead() == 1)
        #expect(db.blocks.map(\.minTime) == [0])
        #expect(db.blocks.map(\.maxTime) == [2 * Self.hour])
        #expect(db.blocks[0].meta.stats.numSeries == 5)
        #expect(db.blocks[0].meta.stats.numSamples == 5 * 480)
        #expect(db.head.minTime == 2 * Self.hour)
        #expect(Self.everything(db) == expected)
        // Appends into a range a block holds are refused.
        var app = db.head.appender()
        _ = app.append(ref: nil, labels: Labels(["__name__": "late"]), t: Self.hour, v: 1)
        #expect(try app.commit().outOfBounds == 1)
    }

    @Test func blocksAndTheHeadSurviveARestart() throws {
        let dir = TempDirectory()
        var expected: [Labels: [Sample]] = [:]
        do {
            let db = try Database(directory: dir.path)
            expected = try Self.fill(db, series: 3, hours: 7)
            #expect(try db.compactHead() == 2)
            db.close()
        }
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.blocks == 2)
        #expect(reopened.head.minValidTime == 4 * Self.hour)
        #expect(Self.everything(reopened) == expected)
        // A range inside one block, one spanning block and head.
        let inBlock = reopened.select([try LabelMatcher(.equal, "instance", "host-1")], mint: Self.hour, maxt: Self.hour + 60_000)
        #expect(inBlock.first?.samples(mint: Self.hour, maxt: Self.hour + 60_000).count == 5)
        let across = reopened.select([], mint: 3 * Self.hour, maxt: 5 * Self.hour)
        #expect(across.count == 3)
        #expect(across[0].samples(mint: 3 * Self.hour, maxt: 5 * Self.hour).count == 2 * 240 + 1)
    }

    @Test func aCrashBetweenBlockAndSnapshotLosesNothingAndDuplicatesNothing() throws {
        let dir = TempDirectory()
        var expected: [Labels: [Sample]] = [:]
        do {
            let db = try Database(directory: dir.path)
            expected = try Self.fill(db, series: 2, hours: 4)
            // The block is written, but the process dies before the head is truncated and snapshotted.
            let range = try #require(db.nextHeadBlockRange())
            let series = db.head.blockSeries(mint: range.lowerBound, maxt: range.upperBound)
            _ = try BlockWriter.write(series, minTime: range.lowerBound, maxTime: range.upperBound, into: dir.path, nowMs: 1)
            db.close()
        }
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.blocks == 1)
        #expect(Self.everything(reopened) == expected)
    }

    @Test func anUnfinishedBlockDirectoryIsRemovedAndADamagedBlockIsNotServed() throws {
        let dir = TempDirectory()
        do {
            let db = try Database(directory: dir.path)
            _ = try Self.fill(db, series: 2, hours: 4)
            try db.compactHead()
            db.close()
        }
        let block = try #require(PosixFile.list(dir.path).first { BlockULID($0) != nil })
        // A leftover of an interrupted write, and a damaged index.
        try PosixFile.makeDirectories(dir.path + "/01ARZ3NDEKTSV4RRFFQ69G5FAV" + BlockWriter.temporarySuffix)
        let indexPath = dir.path + "/" + block + "/index"
        var index = try PosixFile.readAll(indexPath)
        index[index.count - 10] ^= 0xFF
        try PosixFile.writeDurably(index, to: indexPath)
        let reopened = try Database(directory: dir.path)
        #expect(reopened.blocks.isEmpty)
        #expect(reopened.replayReport.corruptions.contains { $0.contains("table of contents") })
        #expect(!PosixFile.list(dir.path).contains { $0.hasSuffix(BlockWriter.temporarySuffix) })
    }

    @Test func timeRetentionDeletesWholeBlocks() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.retentionTime = PromDuration(milliseconds: 3 * Self.hour)
        let db = try Database(directory: dir.path, options: options)
        _ = try Self.fill(db, series: 2, hours: 9)
        #expect(try db.compactHead() == 3)
        db.applyRetention()
        // The newest sample is just before 9 h, so the window starts just before 6 h: the blocks
        // ending at 2 h and 4 h are wholly outside it, the one ending at 6 h is not.
        #expect(db.blocks.map(\.minTime) == [4 * Self.hour])
        #expect(PosixFile.list(dir.path).filter { BlockULID($0) != nil }.count == 1)
    }

    @Test func sizeRetentionDeletesTheOldestBlocksFirst() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.retentionTime = nil
        let db = try Database(directory: dir.path, options: options)
        _ = try Self.fill(db, series: 20, hours: 9)
        try db.compactHead()
        let sizes = db.blocks.map(\.byteCount)
        let limited = try Database.reopen(dir.path, retentionSize: db.walBytes + db.head.chunkBytes + sizes.dropFirst().reduce(0, +) + 10)
        limited.applyRetention()
        #expect(limited.blocks.map(\.minTime) == [2 * Self.hour, 4 * Self.hour])
    }

    @Test func tombstonedSamplesAreNotServed() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        _ = try Self.fill(db, series: 1, hours: 4)
        try db.compactHead()
        let block = try #require(db.blocks.first)
        var tombstones = Tombstones()
        tombstones.add(try #require(block.index.allSeries.first), 0...(Self.hour - 1))
        try tombstones.write(directory: block.directory)
        let reopened = try Database(directory: dir.path)
        let samples = try #require(reopened.select([], mint: .min, maxt: .max).first).samples()
        #expect(samples.first?.t == Self.hour)
    }

    @Test func prometheusDeltaOfDeltaEdgesRoundTrip() {
        // +2^13 fits the 14-bit bucket and -2^13 does not, as in Prometheus.
        var chunk = XORChunk()
        let times: [Int64] = [0, 10_000, 28_192, 38_000, 39_616, 100_000, 100_001]
        for (i, t) in times.enumerated() { chunk.append(t: t, v: Double(i)) }
        let data = chunk.prometheusData
        let read = data.withUnsafeBytes { XORChunk(prometheusData: $0, minTime: 0, maxTime: 100_001) }
        var ts: [Int64] = [], vs: [Double] = []
        read?.appendSamples(mint: .min, maxt: .max, times: &ts, values: &vs)
        #expect(ts == times)
        #expect(read?.lastSample == Sample(t: 100_001, v: 6))
    }

    @Test func ulidsSortByCreationTime() {
        let a = BlockULID(timestampMs: 1_700_000_000_000), b = BlockULID(timestampMs: 1_700_000_000_001)
        #expect(a < b)
        #expect(a.text.count == 26)
        #expect(BlockULID(a.text) == a)
        #expect(BlockULID("not-a-ulid") == nil)
    }
}
