/// Writes a block's `chunks/` directory in Prometheus' format: segment files `000001`, `000002`,
/// … each starting with a magic number and version, then chunks as `len <uvarint>`,
/// `encoding <1 byte>`, data, and a big-endian CRC-32C of encoding and data.
///
/// A chunk is referenced from the index by its segment's position (upper 32 bits, 0 for `000001`)
/// and its byte offset in that file (lower 32 bits).
struct ChunkSegmentWriter {
    static let magic: UInt32 = 0x85BD_40DD
    static let headerSize = 8
    /// Prometheus' limit per segment file.
    static let maxSegmentSize = 512 << 20
    /// The encoding byte of a float (XOR) chunk.
    static let xorEncoding: UInt8 = 1

    let directory: String
    private var buffer = ByteWriter()
    private var segmentIndex = -1
    private var written = 0

    init(directory: String) throws(StorageIOError) {
        self.directory = directory
        try PosixFile.makeDirectories(directory)
    }

    /// Appends one chunk (its encoding byte and data); returns its reference.
    mutating func append(encoding: UInt8, data: [UInt8]) throws(StorageIOError) -> UInt64 {
        let size = 10 + 1 + data.count + 4
        if segmentIndex < 0 || written + buffer.bytes.count + size > Self.maxSegmentSize {
            try cut()
        }
        let offset = written + buffer.bytes.count
        buffer.uvarint(UInt64(data.count))
        let checksummed = buffer.bytes.count
        buffer.bytes.append(encoding)
        buffer.bytes.append(contentsOf: data)
        buffer.u32BE(CRC32C.checksum(buffer.bytes[checksummed...]))
        if buffer.bytes.count >= 4 << 20 { try flush() }
        return UInt64(segmentIndex) << 32 | UInt64(offset)
    }

    /// Writes out and fsyncs the open segment.
    mutating func finish() throws(StorageIOError) {
        try flush()
    }

    private mutating func cut() throws(StorageIOError) {
        if segmentIndex >= 0 { try flush() }
        segmentIndex += 1
        written = 0
        buffer.u32BE(Self.magic)
        buffer.bytes.append(1)
        buffer.bytes.append(contentsOf: [0, 0, 0])
    }

    private mutating func flush() throws(StorageIOError) {
        guard segmentIndex >= 0 else { return }
        let path = directory + "/" + Self.fileName(segmentIndex)
        let fd = try written == 0 ? PosixFile.openForWrite(path) : PosixFile.openForAppend(path)
        defer { PosixFile.closeFile(fd) }
        try PosixFile.writeAll(fd, buffer.bytes, path: path)
        try PosixFile.sync(fd, path: path)
        written += buffer.bytes.count
        buffer.bytes.removeAll(keepingCapacity: true)
    }

    /// `000001` for the first segment.
    static func fileName(_ index: Int) -> String {
        let s = String(index + 1)
        return String(repeating: "0", count: max(0, 6 - s.count)) + s
    }
}
