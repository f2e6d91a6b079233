/// A block's `tombstones` file: time ranges deleted from series, applied when the series are read
/// and dropped for good when the block is rewritten. Format: magic, version 1, then entries of
/// series ID (uvarint), first and last deleted millisecond (varints), then a CRC-32C of the entries.
public struct Tombstones: Sendable, Equatable {
    static let magic: UInt32 = 0x0130_BA30
    static let fileName = "tombstones"

    /// Deleted closed intervals `[mint, maxt]` by series ID.
    public private(set) var intervals: [UInt32: [ClosedRange<Int64>]] = [:]

    public init() {}

    public var isEmpty: Bool { intervals.isEmpty }
    public var count: Int { intervals.values.reduce(0) { $0 + $1.count } }

    /// Marks `[mint, maxt]` of series `id` deleted.
    public mutating func add(_ id: UInt32, _ range: ClosedRange<Int64>) {
        intervals[id, default: []].append(range)
    }

    /// Whether all of `range` of series `id` is deleted already (by one interval).
    public func covers(_ id: UInt32, _ range: ClosedRange<Int64>) -> Bool {
        intervals[id]?.contains { $0.lowerBound <= range.lowerBound && $0.upperBound >= range.upperBound } ?? false
    }

    /// Whether sample time `t` of series `id` is deleted.
    func isDeleted(_ id: UInt32, _ t: Int64) -> Bool {
        intervals[id]?.contains { $0.contains(t) } ?? false
    }

    func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u32BE(Self.magic)
        w.bytes.append(1)
        var body = ByteWriter()
        for id in intervals.keys.sorted() {
            for range in intervals[id] ?? [] {
                body.uvarint(UInt64(id))
                body.varint(range.lowerBound)
                body.varint(range.upperBound)
            }
        }
        w.bytes.append(contentsOf: body.bytes)
        w.u32BE(CRC32C.checksum(body.bytes))
        return w.bytes
    }

    /// Reads `<directory>/tombstones`; a missing file means none.
    static func read(directory: String) throws(BlockError) -> Tombstones {
        let path = directory + "/" + fileName
        guard PosixFile.exists(path) else { return Tombstones() }
        let bytes: [UInt8]
        do { bytes = try PosixFile.readAll(path) } catch { throw .io(error) }
        let parsed = bytes.withUnsafeBytes { raw -> Tombstones? in
            var r = MappedReader(raw)
            guard raw.count >= 9, r.u32BE() == magic, r.u8() == 1 else { return nil }
            let body = 5..<raw.count - 4
            var crcReader = MappedReader(raw, from: raw.count - 4)
            guard CRC32C.matches(crcReader.u32BE(), CRC32C.checksum(raw, body)) else { return nil }
            var entries = MappedReader(raw, from: body.lowerBound, to: body.upperBound)
            var result = Tombstones()
            while entries.remaining > 0 {
                guard let id = entries.uvarint(), let idValue = UInt32(exactly: id), let mint = entries.varint(),
                      let maxt = entries.varint(), mint <= maxt else { return nil }
                result.add(idValue, mint...maxt)
            }
            return result
        }
        guard let parsed else { throw .corrupt(path, "not a tombstones file, or damaged (checksum or entry)") }
        return parsed
    }

    /// Writes the file durably into `directory`.
    func write(directory: String) throws(StorageIOError) {
        try PosixFile.writeDurably(encoded(), to: directory + "/" + Self.fileName)
    }
}
