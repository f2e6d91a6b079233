/// Reads a chunk's bits, most significant bit of each byte first, checking every read against
/// the end: a damaged chunk ends the read with nil instead of reading past its bytes. Used by the
/// histogram chunks (the XOR chunk has its own unchecked, padded reader for speed).
struct ChunkBitReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer, startingAtByte start: Int = 0) {
        self.bytes = bytes
        self.position = min(start, bytes.count) * 8
    }

    var remainingBits: Int { bytes.count * 8 - position }

    mutating func readBit() -> Bool? {
        guard position < bytes.count * 8 else { return nil }
        let bit = bytes[position >> 3] >> UInt8(7 - position & 7) & 1
        position += 1
        return bit == 1
    }

    /// The next `count` bits (0...64) as an unsigned value.
    mutating func readBits(_ count: Int) -> UInt64? {
        guard count >= 0, count <= 64, count <= remainingBits else { return nil }
        var value: UInt64 = 0
        var remaining = count
        while remaining > 0 {
            let used = position & 7
            let take = min(8 - used, remaining)
            let byte = UInt64(bytes[position >> 3])
            let chunk = (byte >> UInt64(8 - used - take)) & ((1 << UInt64(take)) - 1)
            value = value << UInt64(take) | chunk
            position += take
            remaining -= take
        }
        return value
    }

    mutating func readUVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 {
            guard let b = readBits(8) else { return nil }
            result |= (b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    mutating func readVarint() -> Int64? {
        guard let u = readUVarint() else { return nil }
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// How many one-bits open a varbit field (0...8), the ending zero consumed.
    private mutating func readVarbitPrefix() -> Int? {
        var ones = 0
        while ones < 8 {
            guard let bit = readBit() else { return nil }
            if !bit { break }
            ones += 1
        }
        return ones
    }

    /// A field written by ``BitWriter/writeVarbitInt(_:)``.
    mutating func readVarbitInt() -> Int64? {
        guard let ones = readVarbitPrefix() else { return nil }
        let width = BitWriter.varbitWidths[ones]
        if width == 0 { return 0 }
        guard let raw = readBits(width) else { return nil }
        if width == 64 { return Int64(bitPattern: raw) }
        let half = UInt64(1) << UInt64(width - 1)
        return raw > half ? Int64(bitPattern: raw) - Int64(bitPattern: half << 1) : Int64(bitPattern: raw)
    }

    /// A field written by ``BitWriter/writeVarbitUInt(_:)``.
    mutating func readVarbitUInt() -> UInt64? {
        guard let ones = readVarbitPrefix() else { return nil }
        let width = BitWriter.varbitWidths[ones]
        return width == 0 ? 0 : readBits(width)
    }

    /// A value written by ``BitWriter/writeXOR(_:previous:leading:trailing:)``, applied to `value`.
    mutating func readXOR(_ value: inout UInt64, leading: inout UInt8, trailing: inout UInt8) -> Bool {
        guard let changed = readBit() else { return false }
        guard changed else { return true }
        guard let newWindow = readBit() else { return false }
        if newWindow {
            guard let header = readBits(11) else { return false }
            let lz = Int(header >> 6)
            let sig = Int(header & 0x3F) == 0 ? 64 : Int(header & 0x3F)
            guard lz + sig <= 64 else { return false }
            leading = UInt8(lz)
            trailing = UInt8(64 - lz - sig)
        } else if leading == 0xFF {
            return false // the previous window is used before any was set
        }
        let significant = 64 - Int(leading) - Int(trailing)
        guard significant > 0, let bits = readBits(significant) else { return false }
        value ^= bits << UInt64(trailing)
        return true
    }
}
