/// A cursor over mapped bytes for Prometheus' block formats: big-endian fixed-width integers,
/// varints and length-prefixed strings. Every read is bounds-checked and fails with nil, never
/// traps: a damaged or hostile block file yields an error, not a crash.
struct MappedReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from: Int = 0, to: Int? = nil) {
        self.bytes = bytes
        self.offset = max(0, min(from, bytes.count))
        self.end = max(self.offset, min(to ?? bytes.count, bytes.count))
    }

    var remaining: Int { end - offset }

    mutating func skip(_ n: Int) -> Bool {
        guard n >= 0, n <= remaining else { return false }
        offset += n
        return true
    }

    mutating func u8() -> UInt8? {
        guard offset < end else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16BE() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32BE() -> UInt32? {
        guard remaining >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return v
    }

    mutating func u64BE() -> UInt64? {
        guard remaining >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(bytes[offset + i]) }
        offset += 8
        return v
    }

    mutating func uvarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end, shift < 64 {
            let b = bytes[offset]
            offset += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    mutating func varint() -> Int64? {
        guard let u = uvarint() else { return nil }
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// A uvarint that must fit in `Int` and in what is left of the section.
    mutating func length() -> Int? {
        guard let n = uvarint(), n <= UInt64(remaining) else { return nil }
        return Int(n)
    }

    /// A string prefixed with its uvarint byte length; nil when it is not UTF-8.
    mutating func uvarintString() -> String? {
        guard let n = length() else { return nil }
        let s = String(validating: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]), as: UTF8.self)
        offset += n
        return s
    }

    /// The raw bytes of `n` bytes from the cursor.
    mutating func slice(_ n: Int) -> UnsafeRawBufferPointer? {
        guard n >= 0, n <= remaining else { return nil }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])
    }
}

extension CRC32C {
    /// The checksum of `range` of mapped bytes.
    static func checksum(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt32? {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return nil }
        return checksum(UnsafeRawBufferPointer(rebasing: bytes[range]))
    }
}
