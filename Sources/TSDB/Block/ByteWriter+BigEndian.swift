/// Big-endian fields, as Prometheus' block files write every fixed-width integer.
extension ByteWriter {
    mutating func u16BE(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func u32BE(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func u64BE(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Overwrites four bytes at `offset` (a length written before its section was known).
    mutating func patchU32BE(_ value: UInt32, at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * i)) }
    }

    /// Zero bytes up to the next multiple of `alignment` (counted from `base`, the file offset of `bytes[0]`).
    mutating func pad(to alignment: Int, base: Int = 0) {
        let remainder = (base + bytes.count) % alignment
        if remainder != 0 { bytes.append(contentsOf: repeatElement(0, count: alignment - remainder)) }
    }

    /// A length-prefixed string whose length is a uvarint.
    mutating func uvarintString(_ s: String) {
        uvarint(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
}
