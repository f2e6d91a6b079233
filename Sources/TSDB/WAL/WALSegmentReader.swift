import Snappy

/// Reads the framed records of one WAL segment file.
///
/// Frame: kind (1 byte), payload length (4 bytes LE), CRC-32C of the payload (4 bytes LE), payload.
/// A kind with its high bit set (``compressedFlag``) marks a payload compressed with Snappy (its
/// block format), as Prometheus compresses its WAL records; the CRC covers the stored bytes.
/// Replay, checkpointing and (later) the remote-write sender all read the WAL through this type.
public struct WALSegmentReader {
    /// Why reading stopped before the end of the file.
    public enum Stop: Sendable, Equatable, CustomStringConvertible {
        /// The file ends inside a frame: the tail of a write that never completed.
        case tornTail(offset: Int)
        /// A frame whose checksum or contents are wrong.
        case corrupt(offset: Int, reason: String)

        public var offset: Int {
            switch self {
            case .tornTail(let o), .corrupt(let o, _): return o
            }
        }

        public var description: String {
            switch self {
            case .tornTail(let o): return "torn record at offset \(o)"
            case .corrupt(let o, let r): return "corrupt record at offset \(o): \(r)"
            }
        }
    }

    static let headerSize = 9
    /// Set in a frame's kind byte when its payload is Snappy-compressed.
    static let compressedFlag: UInt8 = 0x80
    /// Payloads smaller than this are stored as they are: compressing them saves little.
    static let compressionThreshold = 256
    /// A record larger than this is taken as corruption rather than allocated.
    static let maxRecordSize = 256 << 20

    private let bytes: [UInt8]
    public private(set) var offset: Int = 0
    public private(set) var stop: Stop?

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Reads the segment file at `path`.
    public init(path: String) throws(StorageIOError) { self.bytes = try PosixFile.readAll(path) }

    /// Whether reading stopped at a damaged record (rather than at the end or a torn tail).
    public var isCorrupt: Bool {
        if case .corrupt = stop { return true }
        return false
    }

    /// The next record, or nil at the end (check ``stop`` for a torn or corrupt tail).
    public mutating func next() -> WALRecord? {
        guard stop == nil, offset < bytes.count else { return nil }
        var r = ByteReader(bytes, from: offset)
        guard let kind = r.u8(), let length = r.u32(), let crc = r.u32() else {
            stop = .tornTail(offset: offset)
            return nil
        }
        guard Int(length) <= Self.maxRecordSize else {
            stop = .corrupt(offset: offset, reason: "record length \(length) out of range")
            return nil
        }
        let start = offset + Self.headerSize
        guard bytes.count - start >= Int(length) else {
            stop = .tornTail(offset: offset)
            return nil
        }
        let payload = Array(bytes[start..<start + Int(length)])
        guard CRC32C.matches(crc, CRC32C.checksum(payload)) else {
            stop = .corrupt(offset: offset, reason: "checksum mismatch")
            return nil
        }
        var decoded = payload
        if kind & Self.compressedFlag != 0 {
            // Snappy expands at most about 21 times (a 3-byte copy of 64 bytes): a declared
            // length beyond that is damage, refused before anything is allocated for it.
            let limit = min(Self.maxRecordSize, payload.count * 22 + 32)
            do { decoded = try Snappy.decode(payload, limit: limit) } catch {
                stop = .corrupt(offset: offset, reason: "compressed record does not decompress: \(error)")
                return nil
            }
        }
        guard let record = WALRecord.decode(kind: kind & ~Self.compressedFlag, payload: decoded) else {
            stop = .corrupt(offset: offset, reason: "undecodable record of kind \(kind)")
            return nil
        }
        offset = start + Int(length)
        return record
    }

    /// Frames a record for writing, its payload Snappy-compressed when `compress` is set, the
    /// payload is not tiny and compression makes it smaller.
    static func frame(_ record: WALRecord, into out: inout [UInt8], compress: Bool = false) {
        var payload = record.encodePayload()
        var kind = record.kind.rawValue
        if compress, payload.count >= compressionThreshold {
            let compressed = Snappy.encode(payload)
            if compressed.count < payload.count {
                payload = compressed
                kind |= compressedFlag
            }
        }
        out.append(kind)
        var w = ByteWriter()
        w.u32(UInt32(payload.count))
        w.u32(CRC32C.checksum(payload))
        out.append(contentsOf: w.bytes)
        out.append(contentsOf: payload)
    }
}
