/// Appends little-endian integers, varints and length-prefixed strings to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func uvarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func varint(_ value: Int64) { uvarint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func u64(_ value: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    mutating func u32(_ value: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
    }

    mutating func string(_ s: String) {
        uvarint(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }

    mutating func blob(_ b: [UInt8]) {
        uvarint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }
}

/// Reads what ``ByteWriter`` wrote; every read is bounds-checked and fails with nil, never traps.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from: Int = 0, to: Int? = nil) {
        self.bytes = bytes
        self.offset = from
        self.end = min(to ?? bytes.count, bytes.count)
    }

    var atEnd: Bool { offset >= end }

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

    mutating func u64() -> UInt64? {
        guard end - offset >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    mutating func u32() -> UInt32? {
        guard end - offset >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    mutating func u8() -> UInt8? {
        guard offset < end else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func blob() -> ArraySlice<UInt8>? {
        guard let n = uvarint(), n <= UInt64(end - offset) else { return nil }
        let s = bytes[offset..<offset + Int(n)]
        offset += Int(n)
        return s
    }

    mutating func string() -> String? {
        guard let b = blob() else { return nil }
        return String(validating: b, as: UTF8.self)
    }
}
