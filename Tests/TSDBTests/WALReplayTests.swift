import Foundation
import MetricModel
import Testing
@testable import TSDB

/// A fresh directory per test, removed afterwards.
final class TempDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "vigil-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct WALReplayTests {
    static func write(_ db: Database, series: Int, samples: Int, startT: Int64 = 0) throws {
        for i in 0..<samples {
            var app = db.head.appender()
            for s in 0..<series {
                _ = app.append(ref: nil, labels: Labels(["__name__": "m", "s": String(s)]), t: startT + Int64(i) * 15_000, v: Double(i * s))
            }
            _ = try app.commit()
        }
    }

    static func dump(_ db: Database) throws -> [String: [Sample]] {
        var out: [String: [Sample]] = [:]
        for s in db.head.select([try LabelMatcher(.equal, "__name__", "m")], mint: .min, maxt: .max) {
            out[s.labels["s"]] = Array(s.samples())
        }
        return out
    }

    @Test func replaysEverythingAfterCleanClose() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        try Self.write(db, series: 5, samples: 300)
        let before = try Self.dump(db)
        db.close()
        let reopened = try Database(directory: dir.path)
        #expect(try Self.dump(reopened) == before)
        #expect(reopened.replayReport.corruptions.isEmpty)
    }

    @Test func replaysSnapshotPlusNewerSegments() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        try Self.write(db, series: 3, samples: 200)
        try db.checkpoint()
        try Self.write(db, series: 3, samples: 50, startT: 10_000_000)
        let before = try Self.dump(db)
        db.close()
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.snapshotSeries == 3)
        #expect(try Self.dump(reopened) == before)
        // Appending continues seamlessly on restored chunks.
        var app = reopened.head.appender()
        _ = app.append(ref: nil, labels: Labels(["__name__": "m", "s": "1"]), t: 99_000_000, v: 7)
        #expect(try app.commit().appended == 1)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func tornTailKeepsEveryCompleteRecord(seed: UInt64) throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        var committed: [Int: Int] = [:] // batch index → end offset of the segment after it
        let segment = dir.path + "/vigil-wal/" + WAL.segmentName(0)
        for i in 0..<40 {
            var app = db.head.appender()
            _ = app.append(ref: nil, labels: Labels(["__name__": "m", "s": "0"]), t: Int64(i) * 1000, v: Double(i))
            _ = try app.commit()
            committed[i] = try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int ?? 0
        }
        db.close()
        let size = committed[39] ?? 0
        var rng = SplitMix64(seed: seed)
        let cut = Int(rng.next() % UInt64(size))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: segment))
        try handle.truncate(atOffset: UInt64(cut))
        try handle.close()

        let reopened = try Database(directory: dir.path)
        let expected = (0..<40).filter { (committed[$0] ?? .max) <= cut }.map { Sample(t: Int64($0) * 1000, v: Double($0)) }
        #expect(try Self.dump(reopened)["0", default: []] == expected)
        // The damaged segment was cut back, so a second replay reports nothing new.
        reopened.close()
        let third = try Database(directory: dir.path)
        #expect(third.replayReport.corruptions.isEmpty)
    }

    @Test func corruptByteIsDetectedByChecksum() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        try Self.write(db, series: 1, samples: 10)
        db.close()
        let segment = dir.path + "/vigil-wal/" + WAL.segmentName(0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: segment))
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.corruptions.count == 1)
        #expect(try Self.dump(reopened)["0"]?.count == 9)
    }

    @Test func snapshotWithBadChecksumIsSkipped() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        try Self.write(db, series: 2, samples: 10)
        try db.checkpoint()
        db.close()
        let snap = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.hasPrefix("snapshot.") })
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/" + snap))
        bytes[bytes.count / 2] ^= 0x55
        try bytes.write(to: URL(fileURLWithPath: dir.path + "/" + snap))
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.corruptions.count == 1)
    }
}

/// A damaged newest snapshot costs nothing: the previous one and the WAL after it are kept.
@Suite struct SnapshotFallbackTests {
    @Test func aDamagedNewestSnapshotFallsBackToThePreviousOneWithoutLoss() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.walSegmentSize = 64 << 10
        let db = try Database(directory: dir.path, options: options)
        var ref: SeriesRef?
        func write(_ range: Range<Int>) throws {
            for i in range {
                var app = db.head.appender()
                ref = app.append(ref: ref, labels: Labels(["__name__": "m"]), t: Int64(i) * 1000, v: Double(i))
                _ = try app.commit()
            }
        }
        try write(0..<100)
        try db.checkpoint()
        try write(100..<200)
        try db.checkpoint()
        try write(200..<250)
        db.close()
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("snapshot.") }.sorted()
        #expect(snapshots.count == 2, "\(snapshots)")
        let newest = try #require(snapshots.last)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/" + newest))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: dir.path + "/" + newest))

        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.corruptions.count == 1)
        let samples = reopened.head.select([], mint: .min, maxt: .max).flatMap { Array($0.samples()) }
        #expect(samples.map(\.v) == (0..<250).map(Double.init))
    }
}

/// Following the WAL as it is written, as the remote-write sender does.
@Suite struct WALTailReaderTests {
    static func directory() -> String { "/tmp/vigil-tail-\(UInt64.random(in: 0 ... .max))" }

    @Test func theTailReaderFollowsRecordsAcrossSegmentsAndWaitsOutATornTail() throws {
        let dir = Self.directory()
        let wal = try WAL(directory: dir, segmentSize: 1 << 20, fsyncPolicy: .never)
        var tail = WALTailReader(directory: dir, from: WALPosition(segment: wal.currentSegment, offset: 0))
        try wal.log([.samples([RefSample(ref: 1, t: 1, v: 1)])])
        var read = try tail.read()
        #expect(read.count == 1)
        // Half a record on disk (a write in progress) is not read until it is whole.
        let segment = dir + "/" + WAL.segmentName(wal.currentSegment)
        var framed: [UInt8] = []
        WALSegmentReader.frame(.samples([RefSample(ref: 1, t: 2, v: 2)]), into: &framed)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data(framed.prefix(5)))
        #expect(try tail.read().isEmpty)
        handle.write(Data(framed.dropFirst(5)))
        try handle.close()
        read = try tail.read()
        #expect(read.map(\.record) == [.samples([RefSample(ref: 1, t: 2, v: 2)])])
        // The next segment follows once the current one is cut.
        try wal.cut()
        try wal.log([.samples([RefSample(ref: 1, t: 3, v: 3)])])
        read = try tail.read()
        #expect(read.map(\.record) == [.samples([RefSample(ref: 1, t: 3, v: 3)])])
        #expect(read.last?.end.segment == wal.currentSegment)
        wal.close()
    }

    @Test func smallReadsWalkABigSegmentOnceAndGrowForARecordLargerThanTheWindow() throws {
        let dir = Self.directory()
        let wal = try WAL(directory: dir, segmentSize: 64 << 20, fsyncPolicy: .never)
        var tail = WALTailReader(directory: dir, from: WALPosition(segment: wal.currentSegment, offset: 0))
        // Values that do not compress, so the segment is megabytes.
        for i in 0..<2_000 { try wal.log([.samples((0..<50).map { RefSample(ref: UInt64($0 + 1), t: Int64(i), v: Double(i * 50 + $0).squareRoot()) })]) }
        // One record bigger than the smallest window (64 KiB), between the small ones.
        let big = WALRecord.series((1...5_000).map { RefSeries(ref: UInt64($0), labels: Labels(["__name__": "m", "i": String($0)])) })
        try wal.log([big])
        try wal.log([.samples([RefSample(ref: 1, t: 9_999, v: 1)])])
        var seen: [WALRecord] = []
        var calls = 0
        while seen.count < 2_002, calls < 10_000 {
            seen += try tail.read(maxBytes: 4096).map(\.record)
            calls += 1
        }
        #expect(seen.count == 2_002, "every record once")
        #expect(seen[2_000] == big)
        #expect(seen.last == .samples([RefSample(ref: 1, t: 9_999, v: 1)]))
        #expect(calls > 100, "read a little at a time")
        #expect(try tail.read().isEmpty)
        wal.close()
    }

    @Test func checkpointsKeepTheSegmentsARemoteWriteQueueHasNotSent() throws {
        let dir = Self.directory()
        var options = DatabaseOptions()
        options.walSegmentSize = 4096
        let db = try Database(directory: dir, options: options)
        db.retainWAL(from: db.currentWALSegment, for: "queue")
        let first = db.currentWALSegment
        for round in 0..<20 {
            var app = db.head.appender()
            for i in 0..<20 { _ = app.append(ref: nil, labels: Labels(["__name__": "m", "i": String(i)]), t: Int64(round), v: 1) }
            _ = try app.commit()
        }
        try db.checkpoint()
        try db.checkpoint()
        #expect(WAL.segments(in: db.walDirectory).first == first, "kept for the queue")
        db.retainWAL(from: nil, for: "queue")
        try db.checkpoint()
        #expect(WAL.segments(in: db.walDirectory).first! > first, "released once the queue lets go")
        db.close()
    }
}

/// Replay reports where it stands while storage opens, for `/api/v1/status/walreplay`.
@Suite struct WALReplayProgressTests {
    @Test func progressNamesTheSegmentsReplayedAndEndsDone() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.walSegmentSize = 4096
        options.tooFarInFutureMs = nil
        let db = try Database(directory: dir.path, options: options)
        var ref: SeriesRef?
        for i in 0..<2000 {
            var app = db.head.appender()
            ref = app.append(ref: ref, labels: Labels(["__name__": "m", "pod": "a"]), t: Int64(i) * 1000, v: Double(i))
            _ = try app.commit()
        }
        db.close()
        let segments = WAL.segments(in: dir.path + "/" + Database.walDirectoryName)
        #expect(segments.count > 3)

        let progress = WALReplayProgress()
        #expect(progress.snapshot.state == .waiting)
        let reopened = try Database(directory: dir.path, options: options, progress: progress)
        let done = progress.snapshot
        #expect(done.state == .done)
        #expect(done.firstSegment == segments.first && done.currentSegment == done.lastSegment)
        // The reopened database starts a segment of its own after the ones it replayed.
        #expect(done.lastSegment == segments.last)
        #expect(done.samples == 2000 && done.samples == reopened.replayReport.samples)
        #expect(done.seconds > 0)
    }
}

/// `--storage.tsdb.wal-compression`: records are Snappy-compressed when it pays, a segment may mix
/// compressed and plain records (a WAL written before the flag), and damage is still found.
@Suite struct WALCompressionTests {
    static func samples(_ n: Int) -> WALRecord {
        var out: [RefSample] = []
        for i in 0..<n {
            let t: Int64 = 1_700_000_000_000 + Int64(i / 50) * 15_000
            out.append(RefSample(ref: SeriesRef(i % 50 + 1), t: t, v: Double(i % 50)))
        }
        return .samples(out)
    }

    @Test func compressedRecordsAreSmallerAndReadBackTheSame() {
        var plain: [UInt8] = [], compressed: [UInt8] = []
        WALSegmentReader.frame(Self.samples(2000), into: &plain)
        WALSegmentReader.frame(Self.samples(2000), into: &compressed, compress: true)
        #expect(compressed.count * 5 < plain.count * 3, "\(compressed.count) vs \(plain.count) bytes")
        #expect(compressed[0] & WALSegmentReader.compressedFlag != 0)
        var reader = WALSegmentReader(bytes: compressed)
        #expect(reader.next() == Self.samples(2000))
        #expect(reader.next() == nil && reader.stop == nil)
    }

    @Test func sampleReferencesTakeOneByteInScrapeOrderAndGenerationsRoundTrip() {
        // 1,000 consecutive slots, then slots reused under other generations, then far jumps.
        var samples: [RefSample] = (0..<1000).map { RefSample(ref: SeriesRef($0 + 1), t: 1_700_000_000_000, v: Double($0)) }
        samples += [RefSample(ref: 7 << 32 | 12, t: 1_700_000_000_000, v: 1), RefSample(ref: 7 << 32 | 13, t: 1_700_000_015_000, v: 2),
                    RefSample(ref: 0xFFFF_FFFF << 32 | 0xFFFF_FFFF, t: -5, v: -.infinity), RefSample(ref: 1, t: .max, v: .nan),
                    RefSample(ref: 3 << 32 | 900, t: .min, v: 0)]
        let payload = WALRecord.samples(samples).encodePayload()
        // Per consecutive sample: one byte of reference, one of time, eight of value.
        #expect(payload.count < 1000 * 10 + 150, "\(payload.count) bytes")
        #expect(WALRecord.decode(kind: WALRecord.Kind.samples.rawValue, payload: payload) == .samples(samples))
        // A slot pushed outside 32 bits is refused, not wrapped.
        var bad = ByteWriter()
        bad.uvarint(1); bad.varint(0); bad.uvarint((UInt64(1) << 35) << 1); bad.varint(0); bad.u64(0)
        #expect(WALRecord.decode(kind: WALRecord.Kind.samples.rawValue, payload: bad.bytes) == nil)
    }

    @Test func samplesWrittenInTheFirstFormatStillReplay() {
        // Count, first reference, first time, then reference and time deltas from the first.
        var w = ByteWriter()
        w.uvarint(3); w.uvarint(10); w.varint(1000)
        for (dr, dt, v) in [(Int64(0), Int64(0), 1.5), (5, 0, 2.5), (-3, 15_000, 3.5)] { w.varint(dr); w.varint(dt); w.u64(v.bitPattern) }
        let expected = WALRecord.samples([RefSample(ref: 10, t: 1000, v: 1.5), RefSample(ref: 15, t: 1000, v: 2.5), RefSample(ref: 7, t: 16_000, v: 3.5)])
        #expect(WALRecord.decode(kind: WALRecord.Kind.samplesFromFirst.rawValue, payload: w.bytes) == expected)
    }

    @Test func aSegmentMixingPlainAndCompressedRecordsReplays() {
        var bytes: [UInt8] = []
        WALSegmentReader.frame(.series([RefSeries(ref: 1, labels: Labels(["__name__": "m"]))]), into: &bytes)
        WALSegmentReader.frame(Self.samples(500), into: &bytes)
        WALSegmentReader.frame(Self.samples(600), into: &bytes, compress: true)
        // Too small to compress: stored as it is even with compression on.
        WALSegmentReader.frame(.samples([RefSample(ref: 1, t: 5, v: 5)]), into: &bytes, compress: true)
        var reader = WALSegmentReader(bytes: bytes)
        var read: [WALRecord] = []
        while let r = reader.next() { read.append(r) }
        #expect(read.count == 4 && reader.stop == nil)
        #expect(read[2] == Self.samples(600))
    }

    @Test func damageInsideACompressedRecordIsCaught() {
        var bytes: [UInt8] = []
        WALSegmentReader.frame(Self.samples(1000), into: &bytes, compress: true)
        bytes[bytes.count / 2] ^= 0x41
        var reader = WALSegmentReader(bytes: bytes)
        #expect(reader.next() == nil)
        #expect(reader.isCorrupt)
    }

    @Test func aDatabaseWithCompressionReopensWithAndWithout() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.tooFarInFutureMs = nil
        let db = try Database(directory: dir.path, options: options)
        var refs = [SeriesRef?](repeating: nil, count: 200)
        for step in 0..<20 {
            var app = db.head.appender()
            for i in 0..<200 { refs[i] = app.append(ref: refs[i], labels: Labels(["__name__": "m", "i": "\(i)"]), t: Int64(step) * 1000, v: Double(step * i)) }
            _ = try app.commit()
        }
        db.close()
        options.walCompression = false
        let reopened = try Database(directory: dir.path, options: options)
        #expect(reopened.replayReport.samples == 4000)
        #expect(reopened.replayReport.corruptions.isEmpty)
    }
}
