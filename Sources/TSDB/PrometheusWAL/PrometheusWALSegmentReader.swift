import Snappy

/// Reads the records of one segment of Prometheus' WAL (the `wal/` of a Prometheus data
/// directory): 32 KiB pages of fragments, each `type <1b>`, `len <2b>`, `CRC32C <4b>`, data;
/// a record is one full fragment or a first, middles and a last. A record whose fragments carry
/// the snappy flag is decompressed.
///
/// The file is only read: damage ends the segment (reported in ``stop``), and nothing is repaired,
/// since the file belongs to Prometheus.
package struct PrometheusWALSegmentReader {
    static let pageSize = 32 * 1024
    static let headerSize = 7

    private let bytes: [UInt8]
    private var offset = 0
    /// Why reading ended before the end of the file, if it did.
    private(set) var stop: String?
    /// Records skipped because they are compressed with zstd, which Vigil does not read.
    private(set) var unsupportedRecords = 0

    package init(bytes: [UInt8]) { self.bytes = bytes }

    /// The next whole record, decompressed; nil at the end or at damage.
    package mutating func next() -> [UInt8]? {
        var assembled: [UInt8] = []
        var inRecord = false
        var compression: UInt8 = 0
        while stop == nil, offset < bytes.count {
            let left = Self.pageSize - offset % Self.pageSize
            if left < Self.headerSize {
                offset += left
                continue
            }
            let type = bytes[offset]
            if type == 0 {
                // The rest of the page is padding.
                offset += left
                continue
            }
            guard offset + Self.headerSize <= bytes.count else {
                stop = "torn fragment header at offset \(offset)"
                return nil
            }
            let length = Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            var crc: UInt32 = 0
            for i in 3..<7 { crc = crc << 8 | UInt32(bytes[offset + i]) }
            let start = offset + Self.headerSize
            guard length <= left - Self.headerSize, start + length <= bytes.count else {
                stop = "fragment at offset \(offset) runs past its page or the file"
                return nil
            }
            let data = bytes[start..<start + length]
            guard CRC32C.matches(crc, CRC32C.checksum(data)) else {
                stop = "fragment checksum mismatch at offset \(offset)"
                return nil
            }
            offset = start + length
            let kind = type & 0x07
            let flags = type & 0xF8
            switch kind {
            case 1, 2:
                guard !inRecord else {
                    stop = "a record starts inside another at offset \(start - Self.headerSize)"
                    return nil
                }
                assembled = Array(data)
                compression = flags
                if kind == 2 {
                    inRecord = true
                    continue
                }
            case 3, 4:
                guard inRecord else {
                    stop = "a record continues without a start at offset \(start - Self.headerSize)"
                    return nil
                }
                assembled.append(contentsOf: data)
                if kind == 3 { continue }
                inRecord = false
            default:
                stop = "unknown fragment type \(type) at offset \(start - Self.headerSize)"
                return nil
            }
            // A whole record.
            if compression & 0x08 != 0 {
                do { return try Snappy.decode(assembled) } catch {
                    stop = "a snappy-compressed record does not decompress: \(error)"
                    return nil
                }
            }
            if compression & 0x10 != 0 {
                unsupportedRecords += 1
                continue
            }
            return assembled
        }
        return nil
    }
}
