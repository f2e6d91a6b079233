import Logging
import Synchronization

/// Full head chunks on disk, memory-mapped, so the head keeps only each series' open chunk on the
/// heap: `<data>/vigil-chunks_head/000001`, `000002`, … in the layout of Prometheus' head chunk
/// files. A file starts with a magic number (`0x0130BC91`), a version byte (1) and three bytes of
/// padding; then, per chunk, the series reference, minimum and maximum time (8 bytes each,
/// big-endian), the encoding (1 byte: 1 XOR, 2 integer histograms, 3 float histograms), the data's
/// length (uvarint), the data (Prometheus' chunk data of that encoding), and a big-endian CRC-32C
/// of everything from the series reference on.
///
/// A chunk is named by a ``Reference``: the file's number in the upper 32 bits, the record's byte
/// offset in the lower. Files are only appended to; each start begins a new one, and a file goes
/// once every chunk in it is older than the head (after a block is cut or retention).
public final class HeadChunkFiles: Sendable {
    /// File number << 32 | byte offset of the chunk's record.
    typealias Reference = UInt64

    static let magic: UInt32 = 0x0130_BC91
    static let headerSize = 8
    /// Series reference, min time, max time, encoding.
    static let recordHeaderSize = 25
    /// Prometheus' size for a head chunk file.
    public static let defaultFileSize = 128 << 20

    struct File {
        let mapping: MappedFile
        /// Bytes written (or, for a file found at start, the length of its valid records).
        var size: Int
        /// The newest sample time of any chunk in the file.
        var maxTime: Int64
    }

    struct State {
        var files: [Int: File] = [:]
        /// The file being appended to, with its descriptor; nil until the first write.
        var current: (number: Int, fd: Int32)?
        var closed = false
    }

    let directory: String
    let fileSize: Int
    let logger: Logger
    private let state: Mutex<State>

    /// Opens the directory (creating it unless `readOnly`), mapping every file and reading the
    /// bounds of its records; a damaged tail is ignored (its chunks are reported missing when a
    /// snapshot names them). Nothing is appended to a file found here.
    package init(directory: String, fileSize: Int = defaultFileSize, readOnly: Bool = false, logger: Logger) throws(StorageIOError) {
        self.directory = directory
        // Offsets are 32 bits in a reference.
        self.fileSize = min(max(fileSize, 4096), Int(UInt32.max))
        self.logger = logger
        if !readOnly { try PosixFile.makeDirectories(directory) }
        var files: [Int: File] = [:]
        for name in PosixFile.list(directory) {
            guard name.utf8.count == 6, let number = Int(name), number > 0 else { continue }
            let path = directory + "/" + name
            do {
                let size = PosixFile.size(path) ?? 0
                let mapping = try MappedFile(path: path, length: max(size, 1))
                let scan = Self.scan(mapping.bytes, size: size)
                if scan.problem != nil {
                    logger.warning("head chunk file has a damaged tail; chunks after it are not used", metadata: [
                        "file": "\(path)", "valid_bytes": "\(scan.validBytes)",
                    ])
                }
                files[number] = File(mapping: mapping, size: scan.validBytes, maxTime: scan.maxTime)
            } catch {
                logger.error("skipping a head chunk file that does not open", metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
        state = Mutex(State(files: files))
    }

    static func fileName(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Writes chunks (full ones, never appended to again) to the current file, starting a new one
    /// when it is full, and returns each chunk moved to its mapped copy, in order. Written to the
    /// kernel, not yet fsynced: ``sync()`` does that before a snapshot names them.
    func write(_ chunks: [(series: SeriesRef, chunk: HeadFileChunk)]) throws(StorageIOError) -> [HeadFileChunk] {
        try state.withLock { (s: inout State) throws(StorageIOError) -> [HeadFileChunk] in
            guard !s.closed else { throw StorageIOError(operation: "write to closed head chunk files", path: directory, errno: 9 /* EBADF */) }
            var moved: [HeadFileChunk] = []
            moved.reserveCapacity(chunks.count)
            var buffer = ByteWriter()
            // (index in `chunks`, offsets of the record and of its data in the buffer, the data's length)
            var placed: [(index: Int, record: Int, data: Int, length: Int)] = []
            var maxTime = Int64.min
            func flush(_ s: inout State) throws(StorageIOError) {
                guard let current = s.current, !buffer.bytes.isEmpty, var file = s.files[current.number] else { return }
                let path = directory + "/" + Self.fileName(current.number)
                try PosixFile.writeAll(current.fd, buffer.bytes, path: path)
                let base = file.size
                for p in placed {
                    // The bits after the data's header, as written (padding included).
                    let c = chunks[p.index].chunk
                    let bytes = MappedChunkBytes(file: file.mapping, offset: base + p.data + c.headerBytes, count: p.length - c.headerBytes,
                                                 headReference: UInt64(current.number) << 32 | UInt64(base + p.record))
                    moved.append(c.moved(to: bytes))
                }
                file.size += buffer.bytes.count
                file.maxTime = max(file.maxTime, maxTime)
                s.files[current.number] = file
                buffer = ByteWriter()
                placed.removeAll(keepingCapacity: true)
                maxTime = .min
            }
            for (i, entry) in chunks.enumerated() {
                let data = entry.chunk.prometheusData
                let size = Self.recordHeaderSize + 10 + data.count + 4
                let used = s.current.flatMap { s.files[$0.number]?.size } ?? fileSize
                if used + buffer.bytes.count + size > fileSize {
                    try flush(&s)
                    try cut(&s)
                }
                let record = buffer.bytes.count
                buffer.u64BE(entry.series)
                buffer.u64BE(UInt64(bitPattern: entry.chunk.minTime))
                buffer.u64BE(UInt64(bitPattern: entry.chunk.maxTime))
                buffer.bytes.append(entry.chunk.encoding)
                buffer.uvarint(UInt64(data.count))
                let dataStart = buffer.bytes.count
                buffer.bytes.append(contentsOf: data)
                buffer.u32BE(CRC32C.checksum(buffer.bytes[record...]))
                placed.append((i, record, dataStart, data.count))
                maxTime = max(maxTime, entry.chunk.maxTime)
            }
            try flush(&s)
            return moved
        }
    }

    /// Starts the next file: header written, mapped at its full size (only written bytes are read).
    private func cut(_ s: inout State) throws(StorageIOError) {
        if let current = s.current { PosixFile.closeFile(current.fd) }
        s.current = nil
        let number = (s.files.keys.max() ?? 0) + 1
        let path = directory + "/" + Self.fileName(number)
        let fd = try PosixFile.openForWrite(path)
        var header = ByteWriter()
        header.u32BE(Self.magic)
        header.bytes += [1, 0, 0, 0]
        do {
            try PosixFile.writeAll(fd, header.bytes, path: path)
            let mapping = try MappedFile(path: path, length: fileSize)
            s.files[number] = File(mapping: mapping, size: Self.headerSize, maxTime: .min)
        } catch {
            PosixFile.closeFile(fd)
            PosixFile.remove(path)
            throw error
        }
        s.current = (number, fd)
        PosixFile.syncDirectory(directory)
    }

    /// fsyncs the file being written, so a snapshot may name its chunks.
    func sync() throws(StorageIOError) {
        try state.withLock { (s: inout State) throws(StorageIOError) in
            guard let current = s.current else { return }
            try PosixFile.sync(current.fd, path: directory + "/" + Self.fileName(current.number))
        }
    }

    /// The chunk a snapshot names, read in place and checked against its CRC; nil when the file is
    /// gone or the record is damaged.
    func chunk(at reference: Reference) -> HeadFileChunk? {
        let number = Int(reference >> 32), offset = Int(reference & 0xFFFF_FFFF)
        guard let file = state.withLock({ $0.files[number] }) else { return nil }
        guard let record = Self.record(in: file.mapping.bytes, at: offset, size: file.size) else { return nil }
        return HeadFileChunk(encoding: record.encoding, data: record.data, in: file.mapping, minTime: record.minTime, maxTime: record.maxTime,
                             headReference: reference)
    }

    /// Every chunk whose record checks out, file by file: for tools and the fuzzing harness.
    package func allChunks() -> [HeadFileChunk] {
        let files = state.withLock { $0.files }
        var out: [HeadFileChunk] = []
        for (number, file) in files.sorted(by: { $0.key < $1.key }) {
            var offset = Self.headerSize
            while offset < file.size, let record = Self.record(in: file.mapping.bytes, at: offset, size: file.size) {
                if let chunk = HeadFileChunk(encoding: record.encoding, data: record.data, in: file.mapping, minTime: record.minTime,
                                             maxTime: record.maxTime, headReference: UInt64(number) << 32 | UInt64(offset)) {
                    out.append(chunk)
                }
                offset = record.end
            }
        }
        return out
    }

    /// Deletes the files (other than the one being written) whose every chunk ends before `mint`:
    /// the head has dropped them. Returns how many went. With `rotating` (after a block is cut)
    /// the file being written is finished too, so the chunks written from now on start a new file
    /// and the old one can go as soon as its chunks are all in blocks.
    @discardableResult
    func removeFiles(endingBefore mint: Int64, rotating: Bool = false) -> Int {
        let doomed: [Int] = state.withLock { s in
            if rotating, let current = s.current, let file = s.files[current.number], file.size > Self.headerSize {
                PosixFile.closeFile(current.fd)
                s.current = nil
            }
            let numbers = s.files.filter { $0.key != s.current?.number && $0.value.maxTime < mint }.map(\.key)
            for n in numbers { s.files[n] = nil }
            return numbers
        }
        for n in doomed { PosixFile.remove(directory + "/" + Self.fileName(n)) }
        if !doomed.isEmpty { PosixFile.syncDirectory(directory) }
        return doomed.count
    }

    /// The size of each finished file (not the one being written), by number.
    func finishedFileSizes() -> [Int: Int] {
        state.withLock { s in s.files.filter { $0.key != s.current?.number }.mapValues(\.size) }
    }

    /// Deletes finished files by number (the head no longer names any of their chunks).
    func removeFiles(_ numbers: Set<Int>) {
        let doomed: [Int] = state.withLock { s in
            let gone = numbers.filter { $0 != s.current?.number && s.files[$0] != nil }
            for n in gone { s.files[n] = nil }
            return Array(gone)
        }
        for n in doomed { PosixFile.remove(directory + "/" + Self.fileName(n)) }
        if !doomed.isEmpty { PosixFile.syncDirectory(directory) }
    }

    /// Bytes of chunk files on disk.
    public var byteCount: Int { state.withLock { $0.files.values.reduce(0) { $0 + $1.size } } }

    /// Number of chunk files.
    public var fileCount: Int { state.withLock { $0.files.count } }

    /// Closes the file being written (mappings stay while chunks use them).
    func close() {
        state.withLock { s in
            if let current = s.current { PosixFile.closeFile(current.fd) }
            s.current = nil
            s.closed = true
        }
    }
}
