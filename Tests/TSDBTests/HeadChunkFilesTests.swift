import Foundation
import MetricModel
import Testing
@testable import TSDB

/// Full head chunks written to `vigil-chunks_head/` and read in place: the heap keeps only open
/// chunks, snapshots name the written ones, and damage or deletion never breaks a read.
@Suite struct HeadChunkFilesTests {
    static func heapChunks(_ db: Database) -> (heap: Int, mapped: Int) {
        db.head.withState { s in
            var heap = 0, mapped = 0
            for series in s.series {
                heap += series?.chunks.count ?? 0
                mapped += series?.mappedChunks.count ?? 0
            }
            return (heap, mapped)
        }
    }

    @Test func fullChunksLeaveTheHeapAndReadTheSame() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        // 1 h 40 min at 15 s: 400 samples, three full chunks and an open one per series.
        let expected = try BlockTests.fill(db, series: 20, hours: 1)
        let more = try BlockTests.fill(db, series: 20, from: BlockTests.hour, hours: 1)
        let all = expected.merging(more) { $0 + $1 }
        #expect(Self.heapChunks(db).mapped == 0)
        let moved = try db.mapHeadChunks()
        #expect(moved > 0)
        let counts = Self.heapChunks(db)
        // Only the open chunk of each series stays on the heap.
        #expect(counts.heap == 20)
        #expect(counts.mapped == moved)
        #expect(db.headChunks.fileCount == 1)
        #expect(db.headChunks.byteCount > 0)
        #expect(BlockTests.everything(db) == all)
        // Ranges inside the mapped chunks, across mapped and heap, and inside the open chunk.
        for (mint, maxt) in [(Int64(600_000), Int64(1_200_000)), (1_700_000, 6_500_000), (7_000_000, 7_100_000), (0, 0)] {
            var got: [Labels: [Sample]] = [:]
            for series in db.head.select([], mint: mint, maxt: maxt, sorted: true) { got[series.labels] = series.samples(mint: mint, maxt: maxt) }
            let want = all.mapValues { $0.filter { $0.t >= mint && $0.t <= maxt } }.filter { !$0.value.isEmpty }
            #expect(got == want, "range \(mint)...\(maxt)")
        }
        // Nothing left to move until another chunk closes.
        #expect(try db.mapHeadChunks() == 0)
        // Appends go on into the open chunk; reads over mapped and heap chunks agree.
        var app = db.head.appender()
        _ = app.append(ref: nil, labels: Labels(["__name__": "m", "instance": "host-0", "job": "node"]), t: 2 * BlockTests.hour, v: 1)
        #expect(try app.commit().appended == 1)
    }

    @Test func aSnapshotNamesMappedChunksAndARestartReadsThemInPlace() throws {
        let dir = TempDirectory()
        var expected: [Labels: [Sample]] = [:]
        let snapshotBytes: Int
        do {
            let db = try Database(directory: dir.path)
            expected = try BlockTests.fill(db, series: 50, hours: 2)
            try db.checkpoint()
            let snapshot = PosixFile.list(dir.path).first { HeadSnapshot.segment(ofFile: $0) != nil }
            snapshotBytes = PosixFile.size(dir.path + "/" + (snapshot ?? "")) ?? 0
            // The snapshot holds labels and open chunks; the closed chunks' bits are in the files.
            #expect(snapshotBytes > 0)
            #expect(snapshotBytes < db.headChunks.byteCount / 2)
            db.close()
        }
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.corruptions.isEmpty)
        #expect(reopened.replayReport.missingHeadChunks == 0)
        #expect(Self.heapChunks(reopened).mapped > 0)
        #expect(BlockTests.everything(reopened) == expected)
        // New chunks go to a new file; the old one is only read.
        _ = try BlockTests.fill(reopened, series: 50, from: 2 * BlockTests.hour, hours: 1)
        try reopened.mapHeadChunks()
        #expect(reopened.headChunks.fileCount == 2)
    }

    @Test func aDamagedChunkFileLosesOnlyItsChunksAndNeverServesThem() throws {
        let dir = TempDirectory()
        var expected: [Labels: [Sample]] = [:]
        do {
            let db = try Database(directory: dir.path)
            expected = try BlockTests.fill(db, series: 10, hours: 2)
            try db.checkpoint()
            db.close()
        }
        // Flip a byte inside the first chunk record's data.
        let path = dir.path + "/" + Database.headChunksDirectoryName + "/000001"
        var bytes = try PosixFile.readAll(path)
        bytes[HeadChunkFiles.headerSize + HeadChunkFiles.recordHeaderSize + 6] ^= 0xFF
        try PosixFile.writeDurably(bytes, to: path)
        let reopened = try Database(directory: dir.path)
        // Only the damaged chunk is lost: the records after it are framed, and checked, on their own.
        #expect(reopened.replayReport.missingHeadChunks == 1)
        #expect(!reopened.replayReport.corruptions.isEmpty)
        // Every sample served is one that was written; the open chunks are all there.
        let served = BlockTests.everything(reopened)
        #expect(served.count == 10)
        for (labels, samples) in served {
            let written = Set(expected[labels] ?? [])
            #expect(samples.allSatisfy { written.contains($0) })
            #expect(samples.last == expected[labels]?.last)
        }
    }

    @Test func chunkFilesGoOnceABlockHoldsTheirChunksAndOpenReadsKeepTheirMapping() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.headChunkFileSize = 4096
        let db = try Database(directory: dir.path, options: options)
        let expected = try BlockTests.fill(db, series: 10, hours: 2)
        try db.mapHeadChunks()
        let filesBefore = db.headChunks.fileCount
        #expect(filesBefore > 1)
        // A query's series keep the chunks they took, even once their files are deleted.
        let taken = db.head.select([], mint: .min, maxt: .max, sorted: true)
        _ = try BlockTests.fill(db, series: 10, from: 2 * BlockTests.hour, hours: 2)
        try db.mapHeadChunks()
        let directory = dir.path + "/" + Database.headChunksDirectoryName
        // The file being written when the block is cut: finished by the cut, never appended to again.
        let writtenAtCut = PosixFile.list(directory).compactMap { Int($0) }.max() ?? 0
        let sizeAtCut = PosixFile.size(directory + "/" + HeadChunkFiles.fileName(writtenAtCut))
        #expect(try db.compactHead() >= 1)
        // The first file held only chunks of the block's range.
        let names = PosixFile.list(directory)
        #expect(!names.contains("000001"))
        #expect(names.count == db.headChunks.fileCount)
        var reread: [Labels: [Sample]] = [:]
        for s in taken { reread[s.labels] = s.samples() }
        #expect(reread == expected)
        _ = try BlockTests.fill(db, series: 10, from: 4 * BlockTests.hour, hours: 1)
        try db.mapHeadChunks()
        let after = PosixFile.list(directory).compactMap { Int($0) }
        #expect(after.max() ?? 0 > writtenAtCut)
        // Deleted (rewritten) or left as it was at the cut.
        let sizeNow = PosixFile.size(directory + "/" + HeadChunkFiles.fileName(writtenAtCut))
        #expect(sizeNow == nil || sizeNow == sizeAtCut)
    }

    @Test func aVersionOneSnapshotStillLoads() throws {
        let dir = TempDirectory()
        var chunk = XORChunk()
        for i in 0..<50 { chunk.append(t: Int64(i) * 15_000, v: Double(i) * 1.5) }
        // Version 1: no kind byte before each chunk.
        var w = ByteWriter()
        w.uvarint(1)
        w.uvarint(1)
        w.string("__name__"); w.string("old")
        w.uvarint(1)
        w.uvarint(UInt64(chunk.count)); w.uvarint(UInt64(chunk.bitCount)); w.blob(chunk.encodedBytes)
        try HeadSnapshotTests.writeOldSnapshot(magic: HeadSnapshot.magicVersion1, series: w.bytes, into: dir.path)
        let db = try Database(directory: dir.path)
        #expect(db.replayReport.snapshotSeries == 1)
        let series = db.head.select([try LabelMatcher(.equal, "__name__", "old")], mint: .min, maxt: .max)
        #expect(series.first?.samples().count == 50)
    }

    @Test func blockChunksAreReadInPlace() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        let expected = try BlockTests.fill(db, series: 3, hours: 4)
        #expect(try db.compactHead() == 1)
        let fromBlock = db.blocks[0].select([], mint: .min, maxt: .max, sorted: true)
        #expect(!fromBlock.isEmpty)
        #expect(fromBlock.allSatisfy { $0.chunks.allSatisfy(\.isMapped) })
        #expect(BlockTests.everything(db) == expected)
    }
}

extension HeadChunkFilesTests {
    @Test func aFileMostlyHoldingChunksNowInBlocksIsRewrittenAndDeleted() throws {
        let dir = TempDirectory()
        var expected: [Labels: [Sample]] = [:]
        do {
            let db = try Database(directory: dir.path)
            // Seven hours written and mapped at once, as a backfill does: one file holds them all.
            expected = try BlockTests.fill(db, series: 20, hours: 7)
            try db.mapHeadChunks()
            #expect(db.headChunks.fileCount == 1)
            // Two blocks cut finish that file; most of its chunks are now in the blocks.
            #expect(try db.compactHead() == 2)
            let names = PosixFile.list(dir.path + "/" + Database.headChunksDirectoryName)
            #expect(!names.contains("000001"), "the old file was rewritten and deleted: \(names)")
            // The live chunks are mapped again, from the new file: the heap holds open chunks only.
            #expect(Self.heapChunks(db).heap == 20)
            #expect(Self.heapChunks(db).mapped > 0)
            #expect(BlockTests.everything(db) == expected)
            db.close()
        }
        // The snapshots name the chunks' new places: everything is back after a restart.
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.missingHeadChunks == 0)
        #expect(BlockTests.everything(reopened) == expected)
    }

    @Test func aSampleAfterAChunkReadBackFromBitsStartsANewChunk() throws {
        var series = MemSeries(ref: 1, labels: InternedLabels(ids: []))
        var original = XORChunk()
        for i in 0..<10 { original.append(t: Int64(i) * 1000, v: Double(i) * 1.1) }
        let data = original.prometheusData
        let readBack = try #require(data.withUnsafeBytes { XORChunk(prometheusData: $0, minTime: 0, maxTime: 9000) })
        series.setChunks([readBack])
        series.append(t: 10_000, v: 11, blockRange: BlockRange.defaultMs)
        #expect(series.chunks.count == 2)
        let data2 = SeriesData(labels: Labels(["__name__": "m"]), chunks: series.chunks[...])
        #expect(data2.samples().map(\.t) == (0...10).map { Int64($0) * 1000 })
    }
}
