import Foundation
import MetricModel
import Testing
@testable import TSDB

/// Closed native histogram chunks written to the head chunk files and read in place, as float
/// chunks are: the heap keeps each series' open chunk of each kind, snapshots name the written
/// ones, and damage, file rewrites and deletion never lose or corrupt a served sample.
@Suite struct HeadHistogramChunkFilesTests {
    /// Integer and float histogram chunks of every series: (on the heap, mapped).
    static func histogramChunks(_ db: Database) -> (heap: Int, mapped: Int) {
        db.head.withState { s in
            var heap = 0, mapped = 0
            for series in s.series {
                guard let series else { continue }
                for c in series.histogramChunks { if c.isMapped { mapped += 1 } else { heap += 1 } }
                for c in series.floatHistogramChunks { if c.isMapped { mapped += 1 } else { heap += 1 } }
            }
            return (heap, mapped)
        }
    }

    /// Whether every series' histogram chunks but the newest of each kind are mapped.
    static func onlyOpenChunksOnTheHeap(_ db: Database) -> Bool {
        db.head.withState { s in
            s.series.allSatisfy { series in
                guard let series else { return true }
                return series.histogramChunks.dropLast().allSatisfy(\.isMapped) && series.floatHistogramChunks.dropLast().allSatisfy(\.isMapped)
                    && !(series.histogramChunks.last?.isMapped ?? false) && !(series.floatHistogramChunks.last?.isMapped ?? false)
            }
        }
    }

    /// Whether two listings of samples are equal, without printing both when they are not.
    static func same(_ a: [String], _ b: [String]) -> Bool {
        guard a != b else { return true }
        let missing = Set(b).subtracting(a), extra = Set(a).subtracting(b)
        Issue.record("\(missing.count) samples missing (first: \(missing.sorted().first ?? "-")), \(extra.count) unexpected (first: \(extra.sorted().first ?? "-"))")
        return false
    }

    @Test func closedHistogramChunksLeaveTheHeapAndReadTheSame() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        // 600 samples of each kind: counters reset every 50 (a chunk each), gauges cut at 120.
        try HeadHistogramTests.fill(db, from: 1, to: 600)
        let before = HeadHistogramTests.everything(db)
        let heapBytesBefore = db.head.chunkBytes
        #expect(Self.histogramChunks(db).mapped == 0)
        let moved = try db.mapHeadChunks()
        #expect(moved >= 12 + 4)
        let counts = Self.histogramChunks(db)
        #expect(counts.heap == 2)
        #expect(Self.onlyOpenChunksOnTheHeap(db))
        #expect(db.headChunks.byteCount > 0)
        #expect(Self.same(HeadHistogramTests.everything(db), before))
        // The same bytes are counted, now in the file.
        #expect(abs(db.head.chunkBytes - heapBytesBefore) <= moved)
        // Ranges inside mapped chunks, across mapped and open ones, inside the open one.
        for (mint, maxt) in [(Int64(30_000), Int64(900_000)), (8_000_000, 8_700_000), (8_950_000, 9_000_000)] {
            let got = db.head.select([], mint: mint, maxt: maxt, sorted: true).flatMap { s in
                s.histogramSamples(mint: mint, maxt: maxt).map(\.t) + s.floatHistogramSamples(mint: mint, maxt: maxt).map(\.t)
            }
            let want = (1...600).map { Int64($0) * HeadHistogramTests.step }.filter { $0 >= mint && $0 <= maxt }
            #expect(got.sorted() == (want + want).sorted(), "range \(mint)...\(maxt)")
        }
        #expect(try db.mapHeadChunks() == 0)
        // Appends go on into the open chunks, and the next closed ones are mapped in turn.
        try HeadHistogramTests.fill(db, from: 601, to: 720)
        #expect(try db.mapHeadChunks() > 0)
        #expect(Self.onlyOpenChunksOnTheHeap(db))
        #expect(HeadHistogramTests.everything(db).count == before.count + 3 * 120)
        db.close()
    }

    @Test func aSnapshotNamesMappedHistogramChunksAndARestartReadsThemInPlace() throws {
        let dir = TempDirectory()
        let before: [String]
        do {
            let db = try Database(directory: dir.path)
            try HeadHistogramTests.fill(db, from: 1, to: 480)
            try db.checkpoint()
            before = HeadHistogramTests.everything(db)
            let snapshot = try #require(PosixFile.list(dir.path).first { HeadSnapshot.segment(ofFile: $0) != nil })
            // The snapshot holds labels, references and open chunks; the closed chunks' bits are in the files.
            #expect((PosixFile.size(dir.path + "/" + snapshot) ?? .max) < db.headChunks.byteCount / 2)
            db.close()
        }
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.corruptions.isEmpty)
        #expect(reopened.replayReport.missingHeadChunks == 0)
        #expect(Self.histogramChunks(reopened).mapped > 0)
        #expect(Self.onlyOpenChunksOnTheHeap(reopened))
        #expect(Self.same(HeadHistogramTests.everything(reopened), before))
        // New chunks go to a new file; the old one is only read.
        try HeadHistogramTests.fill(reopened, from: 481, to: 700)
        try reopened.mapHeadChunks()
        #expect(reopened.headChunks.fileCount == 2)
        #expect(HeadHistogramTests.everything(reopened).count == before.count + 3 * 220)
        reopened.close()
    }

    @Test func aDamagedHistogramRecordLosesOnlyItsChunkAndIsNeverServed() throws {
        let dir = TempDirectory()
        var written = Set<String>()
        do {
            let db = try Database(directory: dir.path)
            try HeadHistogramTests.fill(db, from: 1, to: 400)
            try db.checkpoint()
            written = Set(HeadHistogramTests.everything(db))
            db.close()
        }
        // Flip a byte inside the first integer histogram record's bits.
        let path = dir.path + "/" + Database.headChunksDirectoryName + "/000001"
        var bytes = try PosixFile.readAll(path)
        var offset = HeadChunkFiles.headerSize
        var damaged = false
        while offset < bytes.count, let record = bytes.withUnsafeBytes({ HeadChunkFiles.record(in: $0, at: offset, size: bytes.count) }) {
            if record.encoding == HistogramChunk.encoding {
                bytes[offset + HeadChunkFiles.recordHeaderSize + 8] ^= 0xFF
                damaged = true
                break
            }
            offset = record.end
        }
        #expect(damaged)
        try PosixFile.writeDurably(bytes, to: path)
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.missingHeadChunks == 1)
        let served = HeadHistogramTests.everything(reopened)
        #expect(served.count < written.count)
        #expect(served.allSatisfy { written.contains($0) })
        reopened.close()
    }

    @Test func rewrittenAndDeletedChunkFilesKeepEveryLiveHistogramChunk() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.headChunkFileSize = 4096
        let headBefore: [String]
        do {
            let db = try Database(directory: dir.path, options: options)
            // Five hours: a block takes the first two, and the files mostly holding its chunks
            // are rewritten (their live chunks moved on) and deleted.
            try HeadHistogramTests.fill(db, from: 0, to: 1200)
            try db.mapHeadChunks()
            #expect(db.headChunks.fileCount > 2)
            #expect(try db.compactHead() == 1)
            headBefore = HeadHistogramTests.everything(db)
            try db.mapHeadChunks()
            try db.checkpoint()
            db.close()
        }
        let reopened = try Database(directory: dir.path, options: options)
        #expect(reopened.replayReport.missingHeadChunks == 0)
        #expect(Self.same(HeadHistogramTests.everything(reopened), headBefore))
        reopened.close()
    }
}

extension HeadHistogramChunkFilesTests {
    @Test func chunkListsGiveBackTheirRoomWhenABlockCutDropsMostChunks() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        // Ten hours in the head at once (as a backfill leaves it), mapped: long chunk lists.
        try HeadHistogramTests.fill(db, from: 0, to: 2400)
        try db.mapHeadChunks()
        func capacities() -> (histograms: Int, floatHistograms: Int, mapped: Int) {
            db.head.withState { s in
                s.series.reduce((0, 0, 0)) { sum, series in
                    (sum.0 + (series?.histogramChunks.capacity ?? 0), sum.1 + (series?.floatHistogramChunks.capacity ?? 0),
                     sum.2 + (series?.mappedChunks.capacity ?? 0))
                }
            }
        }
        let before = capacities()
        let beforeSamples = HeadHistogramTests.everything(db)
        #expect(try db.compactHead() >= 3)
        let after = capacities()
        // Most hours went to blocks: the lists hold the rest, with no more room than twice that.
        #expect(after.histograms < before.histograms)
        #expect(after.floatHistograms < before.floatHistograms)
        #expect(after.mapped < before.mapped)
        db.head.withState { s in
            for series in s.series.compactMap({ $0 }) {
                #expect(series.histogramChunks.capacity <= 2 * series.histogramChunks.count + 2)
                #expect(series.floatHistogramChunks.capacity <= 2 * series.floatHistogramChunks.count + 2)
                #expect(series.mappedChunks.capacity <= 2 * series.mappedChunks.count + 2)
            }
        }
        #expect(Self.same(HeadHistogramTests.everything(db), beforeSamples))
        db.close()
    }
}
