import Foundation
import MetricModel
import Testing
@testable import TSDB

/// The snapshot file: encoded series by series in place, decoded in parallel when large.
@Suite struct HeadSnapshotTests {
    static func entries(_ n: Int) -> [HeadSnapshot.Entry] {
        (0..<n).map { i in
            var chunk = XORChunk()
            for k in 0..<(i % 7 + 1) { chunk.append(t: Int64(k) * 15_000, v: Double(i * k) * 0.5) }
            return HeadSnapshot.Entry(ref: SeriesRef(i + 1), labels: Labels(["__name__": "m\(i % 13)", "i": String(i), "job": "j"]), chunks: [chunk])
        }
    }

    @Test func aLargeSnapshotDecodesInPartsToTheSameSeriesInOrder() throws {
        let n = 3 * HeadSnapshot.framesPerThread + 17
        let written = Self.entries(n)
        var encoder = HeadSnapshot.Encoder()
        for e in written { encoder.add(ref: e.ref, labels: e.labels, chunks: e.chunks) }
        let bytes = encoder.finish()
        let decoded = try HeadSnapshot.decodeCounting(bytes, resolve: { _ in nil })
        #expect(decoded.missingChunks == 0)
        #expect(decoded.entries.map(\.ref) == written.map(\.ref))
        #expect(decoded.entries.map(\.labels) == written.map(\.labels))
        #expect(decoded.entries.map { $0.chunks.map(\.encodedBytes) } == written.map { $0.chunks.map(\.encodedBytes) })
    }

    @Test func damageInAnyPartFailsTheWholeSnapshot() throws {
        let n = 2 * HeadSnapshot.framesPerThread + 5
        var encoder = HeadSnapshot.Encoder()
        for e in Self.entries(n) { encoder.add(ref: e.ref, labels: e.labels, chunks: e.chunks) }
        var bytes = encoder.finish()
        // A byte near the end: inside a frame of the last part.
        bytes[bytes.count - 40] ^= 0x55
        #expect(throws: HeadSnapshot.Invalid.self) { try HeadSnapshot.decodeCounting(bytes, resolve: { _ in nil }) }
    }

    @Test func theEncoderWritesWhatTheEntryWriterWrote() throws {
        let written = Self.entries(50)
        let dir = TempDirectory()
        try HeadSnapshot.write(written, to: dir.path + "/s", directory: dir.path)
        let (read, missing) = try HeadSnapshot.read(dir.path + "/s")
        #expect(missing == 0)
        #expect(read.map(\.labels) == written.map(\.labels))
    }

    @Test func labelStringsAreWrittenOnceInTheSymbolTable() throws {
        // 2,000 series sharing a long job name and a metric name: each string is in the file once.
        let job = String(repeating: "model-serving-", count: 8)
        var encoder = HeadSnapshot.Encoder()
        for i in 0..<2_000 {
            encoder.add(ref: SeriesRef(i + 1), labels: Labels(["__name__": "http_requests_total", "i": String(i), "job": job]), chunks: [])
        }
        let bytes = encoder.finish()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.components(separatedBy: job).count == 2)
        #expect(text.components(separatedBy: "http_requests_total").count == 2)
        let decoded = try HeadSnapshot.decodeCounting(bytes, resolve: { _ in nil })
        #expect(decoded.entries.count == 2_000)
        #expect(decoded.entries.last?.labels == Labels(["__name__": "http_requests_total", "i": "1999", "job": job]))
    }

    @Test func aLabelNamingASymbolPastTheTableIsRefused() throws {
        var encoder = HeadSnapshot.Encoder(symbols: ["__name__", "up"])
        // Ids 0 and 5: the table holds two strings.
        encoder.add(ref: 1, labels: InternedLabels(ids: [0, 5]), mapped: [], heap: [])
        #expect(throws: HeadSnapshot.Invalid.self) { try HeadSnapshot.decodeCounting(encoder.finish(), resolve: { _ in nil }) }
    }

    /// A snapshot of an earlier format holding one series entry, framed as every version frames
    /// them (length, CRC-32C, payload) with the trailer's count, written where a database opens it.
    static func writeOldSnapshot(magic: [UInt8], series payload: [UInt8], into directory: String) throws {
        var file = magic
        var trailer = ByteWriter()
        trailer.u64(1)
        for frame in [payload, trailer.bytes] {
            var header = ByteWriter()
            header.u32(UInt32(frame.count))
            header.u32(CRC32C.checksum(frame))
            file += header.bytes + frame
        }
        try PosixFile.makeDirectories(directory + "/" + Database.walDirectoryName)
        try PosixFile.writeDurably(file, to: directory + "/" + HeadSnapshot.fileName(0))
    }

    @Test func aVersionTwoSnapshotWithLabelStringsStillLoads() throws {
        let dir = TempDirectory()
        var chunk = XORChunk()
        for i in 0..<40 { chunk.append(t: Int64(i) * 15_000, v: Double(i) * 2.5) }
        // Version 2: each entry spells its labels out; no symbol frame before the trailer.
        var w = ByteWriter()
        w.uvarint(7)
        w.uvarint(2)
        w.string("__name__"); w.string("old"); w.string("job"); w.string("train")
        w.uvarint(1)
        w.bytes.append(HeadSnapshot.inlineChunk)
        w.uvarint(UInt64(chunk.count)); w.uvarint(UInt64(chunk.bitCount)); w.uvarint(UInt64(chunk.byteCount)); w.bytes += chunk.encodedBytes
        try Self.writeOldSnapshot(magic: HeadSnapshot.magicVersion2, series: w.bytes, into: dir.path)
        let db = try Database(directory: dir.path)
        #expect(db.replayReport.snapshotSeries == 1)
        let series = db.head.select([try LabelMatcher(.equal, "job", "train")], mint: .min, maxt: .max)
        #expect(series.first?.labels == Labels(["__name__": "old", "job": "train"]))
        #expect(series.first?.samples().count == 40)
        db.close()
    }
}
