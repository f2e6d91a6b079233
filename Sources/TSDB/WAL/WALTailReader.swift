/// A place in the WAL: a segment and a byte offset in it (just after a whole record).
public struct WALPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var segment: Int
    public var offset: Int

    public init(segment: Int, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (a: WALPosition, b: WALPosition) -> Bool { (a.segment, a.offset) < (b.segment, b.offset) }
    public var description: String { "\(WAL.segmentName(segment)):\(offset)" }
}

/// Follows the WAL as it is written, from a position on: each call to ``read(maxBytes:)``
/// returns the whole records written since, each with the position just after it. A record
/// still being written (a torn tail) is left for the next call; a segment that ends in damage
/// while a later one exists is left behind, with the damage reported. The remote-write sender
/// reads the WAL through this type.
public struct WALTailReader: Sendable {
    public let directory: String
    public private(set) var position: WALPosition

    /// Damage and gaps skipped since the last ``takeSkipped()``.
    private var skipped: [String] = []

    /// What was skipped since the last call (a corrupt record ends its segment for the reader;
    /// a removed segment is passed over), for the caller to log.
    public mutating func takeSkipped() -> [String] {
        defer { skipped = [] }
        return skipped
    }

    /// The largest window read at once: room for the largest record a segment may hold.
    static let windowLimit = WALSegmentReader.maxRecordSize + WALSegmentReader.headerSize

    public init(directory: String, from position: WALPosition) {
        self.directory = directory
        self.position = position
    }

    /// Records after the current position, up to about `maxBytes` of them, and moves past them.
    public mutating func read(maxBytes: Int = 16 << 20) throws(StorageIOError) -> [(record: WALRecord, end: WALPosition)] {
        var out: [(record: WALRecord, end: WALPosition)] = []
        var budget = maxBytes
        while budget > 0 {
            let segments = WAL.segments(in: directory)
            guard let newest = segments.last else { return out }
            if !segments.contains(position.segment) {
                // Removed (or never written): carry on at the next segment there is.
                guard let next = segments.first(where: { $0 > position.segment }) else { return out }
                skipped.append("WAL segment \(WAL.segmentName(position.segment)) is gone; continuing at \(WAL.segmentName(next))")
                position = WALPosition(segment: next, offset: 0)
                continue
            }
            // A window of about the budget, not the rest of the segment: catching up on a long
            // backlog must not read a 128 MiB segment again for every few megabytes it sends.
            let path = directory + "/" + WAL.segmentName(position.segment)
            var limit = min(max(budget, 64 << 10), Self.windowLimit)
            var bytes: [UInt8]
            var reader: WALSegmentReader
            var consumed = 0
            while true {
                bytes = try PosixFile.readTail(path, from: position.offset, limit: limit)
                reader = WALSegmentReader(bytes: bytes)
                while consumed < budget, let record = reader.next() {
                    consumed = reader.offset
                    out.append((record, WALPosition(segment: position.segment, offset: position.offset + reader.offset)))
                }
                // The window ends inside its first record: read a larger one.
                guard reader.offset == 0, bytes.count == limit, limit < Self.windowLimit, !reader.isCorrupt else { break }
                limit = min(limit * 2, Self.windowLimit)
            }
            budget -= consumed
            position.offset += reader.offset
            if bytes.count == limit, !reader.isCorrupt {
                // More of this segment than the window: the next window, or the next call.
                if reader.offset == 0 { return out }
                continue
            }
            let finished = reader.offset == bytes.count || reader.stop != nil
            guard finished, position.segment < newest else { return out }
            if let stop = reader.stop, case .corrupt = stop {
                skipped.append("WAL segment \(WAL.segmentName(position.segment)): \(stop); continuing at the next segment")
            }
            // A later segment exists, so this one is complete: a torn tail here will never grow.
            position = WALPosition(segment: segments.first { $0 > position.segment } ?? newest, offset: 0)
        }
        return out
    }
}
