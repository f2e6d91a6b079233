/// Reading the records of a head chunk file: at start (how far the valid records go and how new
/// they are) and when a snapshot names one.
extension HeadChunkFiles {
    struct Record {
        var series: UInt64
        var minTime: Int64
        var maxTime: Int64
        /// The chunk's encoding (see ``HeadFileChunk``).
        var encoding: UInt8
        /// Prometheus' chunk data of that encoding.
        var data: UnsafeRawBufferPointer
        /// Offset just past the record.
        var end: Int
    }

    /// The record at `offset`, when it lies within the first `size` bytes, holds a chunk of a known
    /// encoding and its CRC matches.
    static func record(in bytes: UnsafeRawBufferPointer, at offset: Int, size: Int) -> Record? {
        guard let framed = frame(in: bytes, at: offset, size: size), framed.checksumMatches else { return nil }
        return framed.record
    }

    /// The record at `offset` as framed (lengths within the file), whether or not its CRC matches.
    private static func frame(in bytes: UnsafeRawBufferPointer, at offset: Int, size: Int) -> (record: Record, checksumMatches: Bool)? {
        guard offset >= headerSize, size <= bytes.count, offset < size else { return nil }
        var r = MappedReader(bytes, from: offset, to: size)
        guard let series = r.u64BE(), let minTime = r.u64BE(), let maxTime = r.u64BE(), let encoding = r.u8(),
              HeadFileChunk.isKnown(encoding: encoding), let length = r.length(), let data = r.slice(length) else { return nil }
        let end = r.offset
        guard let stored = r.u32BE() else { return nil }
        let record = Record(series: series, minTime: Int64(bitPattern: minTime), maxTime: Int64(bitPattern: maxTime), encoding: encoding,
                            data: data, end: r.offset)
        let matches = record.minTime <= record.maxTime && CRC32C.matches(stored, CRC32C.checksum(bytes, offset..<end))
        return (record, matches)
    }

    /// Walks a file's records from the header: the length of the framed records, the newest
    /// sample time of those whose CRC matches, and what was wrong (nil when nothing was). A record
    /// with a bad CRC is skipped (the snapshot that names it is told it is missing); the walk
    /// stops where the framing itself breaks.
    static func scan(_ bytes: UnsafeRawBufferPointer, size: Int) -> (validBytes: Int, maxTime: Int64, problem: String?) {
        var header = MappedReader(bytes, from: 0, to: min(size, bytes.count))
        guard header.u32BE() == magic, header.u8() == 1 else {
            return (0, .min, size == 0 ? nil : "not a head chunk file (wrong magic number or version)")
        }
        var offset = headerSize, maxTime = Int64.min
        var problem: String?
        while offset < size {
            guard let framed = frame(in: bytes, at: offset, size: size) else { return (offset, maxTime, "unreadable record at \(offset)") }
            if framed.checksumMatches {
                maxTime = max(maxTime, framed.record.maxTime)
            } else if problem == nil {
                problem = "checksum mismatch at \(offset)"
            }
            offset = framed.record.end
        }
        return (offset, maxTime, problem)
    }
}
