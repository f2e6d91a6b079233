import Foundation
import MetricModel
import Testing
@testable import TSDB

/// Leveled compaction: adjacent blocks become larger ones, overlapping blocks are merged, and
/// nothing is lost or doubled on the way.
@Suite struct BlockCompactionTests {
    static let hour = BlockTests.hour

    @Test func threeTwoHourBlocksBecomeOneSixHourBlockAndTheNewestWaits() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        let expected = try BlockTests.fill(db, series: 6, hours: 11)
        #expect(try db.compactHead() == 4)
        let parents = db.blocks.prefix(3).map(\.ulid)
        #expect(db.compactBlocks() == 1)
        #expect(db.blocks.map(\.minTime) == [0, 6 * Self.hour])
        #expect(db.blocks.map(\.maxTime) == [6 * Self.hour, 8 * Self.hour])
        let merged = try #require(db.blocks.first)
        #expect(merged.meta.compaction.level == 2)
        #expect(merged.meta.compaction.parents?.map(\.ulid) == parents)
        #expect(merged.meta.stats.numSamples == 6 * 3 * 480)
        #expect(Set(merged.meta.compaction.sources) == Set(parents))
        #expect(BlockTests.everything(db) == expected)
        // The parents' directories are gone; a restart finds the same.
        #expect(PosixFile.list(dir.path).filter { BlockULID($0) != nil }.count == 2)
        db.close()
        #expect(BlockTests.everything(try Database(directory: dir.path)) == expected)
    }

    @Test func overlappingBlocksAreMergedOneSamplePerTimestamp() throws {
        let dir = TempDirectory()
        let labels = Labels(["__name__": "m", "job": "a"])
        func chunk(_ times: StrideTo<Int64>, value: (Int64) -> Double) -> XORChunk {
            var c = XORChunk()
            for t in times { c.append(t: t, v: value(t)) }
            return c
        }
        // Two blocks over the same hours with partly the same samples (a backfill over live data).
        _ = try BlockWriter.write([.init(labels: labels, chunks: [chunk(stride(from: 0, to: 3_600_000, by: 60_000)) { Double($0) }])],
                                  minTime: 0, maxTime: 2 * Self.hour, into: dir.path, nowMs: 1)
        _ = try BlockWriter.write([.init(labels: labels, chunks: [chunk(stride(from: 1_800_000, to: 5_400_000, by: 30_000)) { Double($0) }])],
                                  minTime: 0, maxTime: 2 * Self.hour, into: dir.path, nowMs: 2)
        let db = try Database(directory: dir.path)
        let before = BlockTests.everything(db)[labels] ?? []
        #expect(before.map(\.t) == before.map(\.t).sorted())
        #expect(Set(before.map(\.t)).count == before.count)
        #expect(db.compactBlocks() == 1)
        #expect(db.blocks.count == 1)
        #expect(BlockTests.everything(db)[labels] == before)
        #expect(before.count == 30 + 120)
    }

    @Test func compactionRangesFollowRetention() throws {
        #expect(BlockCompactor.ranges(blockRange: 2 * Self.hour, maxRange: 36 * Self.hour) == [2, 6, 18].map { $0 * Self.hour })
        #expect(BlockCompactor.ranges(blockRange: 2 * Self.hour, maxRange: 31 * 24 * Self.hour).last == 486 * Self.hour)
    }
}

/// Deleting series: tombstones in blocks, samples gone from the head, and a rewrite that drops them.
@Suite struct SeriesDeletionTests {
    static let hour = BlockTests.hour

    @Test func deletedSamplesLeaveBlocksAndHeadAndCleaningRewritesTheBlocks() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        var expected = try BlockTests.fill(db, series: 3, hours: 5)
        try db.compactHead()
        let victim = try LabelMatcher(.equal, "instance", "host-1")
        // From 1 h (in the block) to 4 h (in the head).
        try db.deleteSeries([[victim]], mint: Self.hour, maxt: 4 * Self.hour)
        for (labels, samples) in expected where labels["instance"] == "host-1" {
            expected[labels] = samples.filter { $0.t < Self.hour || $0.t > 4 * Self.hour }
        }
        #expect(BlockTests.everything(db) == expected)
        #expect(db.blocks.first?.tombstones.count == 1)
        // Durable: the block's tombstones and the head's snapshot survive a restart.
        db.close()
        let reopened = try Database(directory: dir.path)
        #expect(BlockTests.everything(reopened) == expected)
        let samplesBefore = try #require(reopened.blocks.first?.meta.stats.numSamples)
        #expect(try reopened.cleanTombstones() == 1)
        #expect(reopened.blocks.first?.tombstones.isEmpty == true)
        #expect(reopened.blocks.first?.meta.stats.numSamples == samplesBefore - 240)
        #expect(BlockTests.everything(reopened) == expected)
    }
}
