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
}
