/// The variable-width fields of Prometheus' histogram chunks, and the XOR value encoding that
/// float and histogram chunks share.
extension BitWriter {
    /// Payload widths of the varbit encodings, selected by a prefix of that many one-bits ended by
    /// a zero (eight ones and no zero for the 64-bit form).
    static let varbitWidths: [Int] = [0, 3, 6, 9, 12, 18, 25, 56, 64]

    /// A signed integer in 1 to 72 bits: zero as one bit, otherwise the narrowest payload width
    /// whose range holds it (Prometheus' range: `(-2^(w-1), 2^(w-1)]`, see ``XORChunk/fits(_:bits:)``).
    mutating func writeVarbitInt(_ value: Int64) {
        if value == 0 {
            writeBit(false)
            return
        }
        for k in 1..<8 where XORChunk.fits(value, bits: Self.varbitWidths[k]) {
            writePrefix(ones: k)
            writeBits(UInt64(bitPattern: value), Self.varbitWidths[k])
            return
        }
        writeBits(0xFF, 8)
        writeBits(UInt64(bitPattern: value), 64)
    }

    /// An unsigned integer with the same widths: the narrowest that holds it.
    mutating func writeVarbitUInt(_ value: UInt64) {
        if value == 0 {
            writeBit(false)
            return
        }
        for k in 1..<8 where value < UInt64(1) << UInt64(Self.varbitWidths[k]) {
            writePrefix(ones: k)
            writeBits(value, Self.varbitWidths[k])
            return
        }
        writeBits(0xFF, 8)
        writeBits(value, 64)
    }

    /// `k` one-bits and a zero.
    @inline(__always)
    private mutating func writePrefix(ones k: Int) {
        writeBits((UInt64(1) << UInt64(k + 1)) - 2, k + 1)
    }

    /// A float as its XOR with the previous value: `0` when unchanged, `10` and the meaningful
    /// bits when they fit the previous window of leading and trailing zeros, otherwise `11`, five
    /// bits of leading zeros (at most 31), six of meaningful-bit count (64 written as 0) and the
    /// bits. `leading` starts at 0xFF (no window yet).
    @inline(__always)
    mutating func writeXOR(_ bits: UInt64, previous: UInt64, leading: inout UInt8, trailing: inout UInt8) {
        let xor = bits ^ previous
        if xor == 0 {
            writeBit(false)
            return
        }
        var lz = UInt8(xor.leadingZeroBitCount)
        let tz = UInt8(xor.trailingZeroBitCount)
        if lz >= 32 { lz = 31 } // 5 bits hold the leading count
        // The control bits and counts go in one write, the meaningful bits in the next.
        if leading != 0xFF, lz >= leading, tz >= trailing {
            writeBits(0b10, 2)
            writeBits(xor >> UInt64(trailing), 64 - Int(leading) - Int(trailing))
        } else {
            leading = lz
            trailing = tz
            let significant = 64 - Int(lz) - Int(tz)
            writeBits(0b11 << 11 | UInt64(lz) << 6 | UInt64(significant & 63), 13)
            writeBits(xor >> UInt64(tz), significant)
        }
    }
}
