/// Reads chunks from a block's mapped `chunks/` segment files by their index references.
struct ChunkSegmentReader: Sendable {
    let segments: [MappedFile]

    /// Maps every numbered segment file of `directory` in order and checks each header.
    init(directory: String) throws(BlockError) {
        let names = PosixFile.list(directory).filter { $0.utf8.count == 6 && Int($0) != nil }.sorted()
        var files: [MappedFile] = []
        for (position, name) in names.enumerated() {
            guard Int(name) == position + 1 else {
                throw .corrupt(directory, "chunk segments are not numbered 000001 on without gaps (found \(name))")
            }
            let file: MappedFile
            do { file = try MappedFile(path: directory + "/" + name) } catch { throw .io(error) }
            var r = MappedReader(file.bytes)
            guard r.u32BE() == ChunkSegmentWriter.magic, r.u8() == 1 else {
                throw .corrupt(file.path, "not a chunk segment (wrong magic number or version)")
            }
            files.append(file)
        }
        segments = files
    }

    /// Total bytes of the segment files.
    var byteCount: Int { segments.reduce(0) { $0 + $1.count } }

    /// The encoding and data of the chunk at `ref`, checked against its CRC; nil when the
    /// reference is out of range or the bytes are damaged.
    func chunk(_ ref: UInt64) -> (encoding: UInt8, data: UnsafeRawBufferPointer)? {
        chunkInFile(ref).map { ($0.encoding, $0.data) }
    }

    /// The same with the mapped file the data lies in, for a chunk read in place.
    func chunkInFile(_ ref: UInt64) -> (encoding: UInt8, data: UnsafeRawBufferPointer, file: MappedFile)? {
        let segment = Int(ref >> 32), offset = Int(ref & 0xFFFF_FFFF)
        guard segment < segments.count else { return nil }
        let bytes = segments[segment].bytes
        guard offset >= ChunkSegmentWriter.headerSize else { return nil }
        var r = MappedReader(bytes, from: offset)
        guard let length = r.length(), r.remaining >= length + 5 else { return nil }
        let start = r.offset
        guard let encoding = r.u8(), let data = r.slice(length),
              CRC32C.matches(r.u32BE(), CRC32C.checksum(bytes, start..<start + 1 + length)) else { return nil }
        return (encoding, data, segments[segment])
    }
}
