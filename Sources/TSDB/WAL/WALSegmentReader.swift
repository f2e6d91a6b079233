/// Reads the framed records of one WAL segment file.
///
/// Frame: kind (1 byte), payload length (4 bytes LE), CRC-32C of the payload (4 bytes LE), payload.
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
        guard let record = WALRecord.decode(kind: kind, payload: payload) else {
            stop = .corrupt(offset: offset, reason: "undecodable record of kind \(kind)")
            return nil
        }
        offset = start + Int(length)
        return record
    }

    /// Frames a record for writing.
    static func frame(_ record: WALRecord, into out: inout [UInt8]) {
        let payload = record.encodePayload()
        out.append(record.kind.rawValue)
        var w = ByteWriter()
        w.u32(UInt32(payload.count))
        w.u32(CRC32C.checksum(payload))
        out.append(contentsOf: w.bytes)
        out.append(contentsOf: payload)
    }
}
