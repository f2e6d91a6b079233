import MetricModel

/// A checkpoint of the head: every series with its compressed chunks, covering all WAL segments
/// numbered below ``firstSegmentAfter``. Replay loads it and then only the newer segments.
///
/// File: magic, then one framed entry per series (length, CRC-32C, payload), then a trailer entry
/// holding the series count, so a truncated file is detected. Each chunk is a kind byte, then
/// either its bits (kind 0: sample count, bit count, bytes) or, for a chunk already in a head
/// chunk file, that file's reference to it (kind 1), so the snapshot holds only open chunks.
/// Version 1 files (bits only, no kind byte) are still read.
package struct HeadSnapshot {
    static let magic = Array("VIGILSNAP2\n".utf8)
    static let magicVersion1 = Array("VIGILSNAP1\n".utf8)
    static let inlineChunk: UInt8 = 0
    static let mappedChunk: UInt8 = 1
    static let filePrefix = "snapshot."

    package struct Entry {
        package var ref: SeriesRef
        package var labels: Labels
        package var chunks: [XORChunk]
    }

    static func fileName(_ segment: Int) -> String { filePrefix + WAL.segmentName(segment) }

    static func segment(ofFile name: String) -> Int? {
        guard name.hasPrefix(filePrefix) else { return nil }
        let rest = name.dropFirst(filePrefix.count)
        return rest.count == 8 ? Int(rest) : nil
    }

    /// Writes entries to `path` atomically (temporary file, fsync, rename, directory fsync).
    static func write(_ entries: [Entry], to path: String, directory: String) throws(StorageIOError) {
        var out = magic
        out.reserveCapacity(entries.reduce(64) { $0 + 32 + $1.chunks.reduce(0) { $0 + $1.byteCount + 8 } })
        for e in entries {
            var w = ByteWriter()
            w.uvarint(e.ref)
            w.uvarint(UInt64(e.labels.count))
            for l in e.labels.pairs { w.string(l.name); w.string(l.value) }
            w.uvarint(UInt64(e.chunks.count))
            for c in e.chunks {
                if let reference = c.mapped?.headReference {
                    w.bytes.append(mappedChunk)
                    w.uvarint(reference)
                    continue
                }
                w.bytes.append(inlineChunk)
                w.uvarint(UInt64(c.count))
                w.uvarint(UInt64(c.bitCount))
                w.blob(c.encodedBytes)
            }
            frame(w.bytes, into: &out)
        }
        var trailer = ByteWriter()
        trailer.u64(UInt64(entries.count))
        frame(trailer.bytes, into: &out)

        let tmp = path + ".tmp"
        let fd = try PosixFile.openForWrite(tmp)
        do {
            try PosixFile.writeAll(fd, out, path: tmp)
            try PosixFile.sync(fd, path: tmp)
        } catch {
            PosixFile.closeFile(fd)
            PosixFile.remove(tmp)
            throw error
        }
        PosixFile.closeFile(fd)
        try PosixFile.rename(tmp, path)
        PosixFile.syncDirectory(directory)
    }

    private static func frame(_ payload: [UInt8], into out: inout [UInt8]) {
        var w = ByteWriter()
        w.u32(UInt32(payload.count))
        w.u32(CRC32C.checksum(payload))
        out.append(contentsOf: w.bytes)
        out.append(contentsOf: payload)
    }

    /// Errors that make a snapshot unusable.
    struct Invalid: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// Reads a snapshot, validating every frame and chunk; `resolve` finds the chunks it names in
    /// head chunk files (nil: that chunk is missing and left out; the resolver reports it).
    static func read(_ path: String, resolve: (UInt64) -> XORChunk? = { _ in nil }) throws -> [Entry] {
        try decode(try PosixFile.readAll(path), resolve: resolve)
    }

    /// Decodes a snapshot file's bytes, validating every frame and chunk.
    package static func decode(_ bytes: [UInt8], resolve: (UInt64) -> XORChunk? = { _ in nil }) throws -> [Entry] {
        let version1 = bytes.starts(with: magicVersion1)
        guard version1 || bytes.starts(with: magic) else { throw Invalid(reason: "bad magic") }
        var r = ByteReader(bytes, from: magic.count)
        var entries: [Entry] = []
        while true {
            guard let length = r.u32(), let crc = r.u32() else { throw Invalid(reason: "truncated frame header") }
            let start = r.offset
            guard Int(length) <= bytes.count - start else { throw Invalid(reason: "truncated frame") }
            let payload = Array(bytes[start..<start + Int(length)])
            guard CRC32C.matches(crc, CRC32C.checksum(payload)) else { throw Invalid(reason: "checksum mismatch at offset \(start)") }
            r = ByteReader(bytes, from: start + Int(length))
            var p = ByteReader(payload)
            if r.atEnd {
                // The trailer: the number of series entries written.
                guard let n = p.u64(), n == UInt64(entries.count) else { throw Invalid(reason: "trailer count mismatch") }
                return entries
            }
            guard let ref = p.uvarint(), let lc = p.uvarint(), lc < 10_000 else { throw Invalid(reason: "bad series entry") }
            var pairs: [Label] = []
            for _ in 0..<lc {
                guard let n = p.string(), let v = p.string() else { throw Invalid(reason: "bad label") }
                pairs.append(Label(n, v))
            }
            guard let cc = p.uvarint(), cc < 1 << 24 else { throw Invalid(reason: "bad chunk count") }
            var chunks: [XORChunk] = []
            for _ in 0..<cc {
                let kind = version1 ? inlineChunk : p.u8()
                if kind == mappedChunk {
                    guard let reference = p.uvarint() else { throw Invalid(reason: "bad chunk reference") }
                    // A chunk whose file is gone or damaged is left out (the resolver reports it):
                    // losing it beats losing the whole snapshot.
                    if let chunk = resolve(reference) { chunks.append(chunk) }
                    continue
                }
                guard kind == inlineChunk, let count = p.uvarint(), let bits = p.uvarint(), let blob = p.blob(), count < 1 << 20, bits < 1 << 40,
                      let chunk = XORChunk(encoded: Array(blob), bitCount: Int(bits), count: Int(count)) else {
                    throw Invalid(reason: "bad chunk")
                }
                chunks.append(chunk)
            }
            entries.append(Entry(ref: ref, labels: Labels(pairs), chunks: chunks))
        }
    }
}
