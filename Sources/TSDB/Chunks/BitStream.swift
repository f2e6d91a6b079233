/// An append-only stream of bits, most significant bit first.
struct BitWriter: Sendable, Hashable {
    private(set) var bytes: [UInt8]
    /// Unused low bits of the last byte (0 when `bytes` is empty or its last byte is full).
    private var free: Int = 0

    init(bytes: [UInt8] = [], free: Int = 0) {
        self.bytes = bytes
        self.free = free
    }

    var bitCount: Int { bytes.count * 8 - free }

    @inline(__always)
    mutating func writeBit(_ bit: Bool) {
        if free == 0 { bytes.append(0); free = 8 }
        if bit { bytes[bytes.count - 1] |= 1 << UInt8(free - 1) }
        free -= 1
    }

    /// Writes the low `count` bits of `value`, most significant first.
    @inline(__always)
    mutating func writeBits(_ value: UInt64, _ count: Int) {
        var remaining = count
        while remaining > 0 {
            if free == 0 { bytes.append(0); free = 8 }
            let take = min(free, remaining)
            let shift = remaining - take
            let chunk = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & ((1 << UInt64(take)) - 1))
            bytes[bytes.count - 1] |= chunk << UInt8(free - take)
            free -= take
            remaining -= take
        }
    }

    mutating func writeByte(_ b: UInt8) { writeBits(UInt64(b), 8) }
}

/// Reads bits written by ``BitWriter``; reading past the end reports failure instead of trapping.
struct BitReader {
    private let bytes: [UInt8]
    private let totalBits: Int
    private var position: Int = 0

    init(_ bytes: [UInt8], bitCount: Int? = nil, startBit: Int = 0) {
        self.bytes = bytes
        self.totalBits = bitCount ?? bytes.count * 8
        self.position = startBit
    }

    var bitPosition: Int { position }

    /// Up to `count` next bits without consuming them, left-aligned in the low `count` bits; fewer
    /// (zero-padded on the right) near the end of the stream.
    @inline(__always)
    func peekBits(_ count: Int) -> UInt64 {
        var copy = self
        let available = min(count, totalBits - position)
        guard available > 0, let bits = copy.readBits(available) else { return 0 }
        return bits << UInt64(count - available)
    }

    /// Consumes `count` bits; false when fewer remain.
    @inline(__always)
    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, position + count <= totalBits else { return false }
        position += count
        return true
    }

    @inline(__always)
    mutating func readBit() -> Bool? {
        guard position < totalBits else { return nil }
        let bit = bytes[position >> 3] & (0x80 >> UInt8(position & 7)) != 0
        position += 1
        return bit
    }

    @inline(__always)
    mutating func readBits(_ count: Int) -> UInt64? {
        guard count >= 0, count <= 64, position + count <= totalBits else { return nil }
        guard count > 0 else { return 0 }
        let byteIndex = position >> 3
        let bitOffset = position & 7
        if byteIndex + 8 <= bytes.count {
            // One big-endian word load; a ninth byte only when the bits straddle it (it exists,
            // since the bits end within `totalBits`).
            var value = bytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self)) }
            value <<= UInt64(bitOffset)
            if bitOffset + count > 64 {
                value |= UInt64(bytes[byteIndex + 8]) >> UInt64(8 - bitOffset)
            }
            position += count
            return value >> UInt64(64 - count)
        }
        var value: UInt64 = 0
        var remaining = count
        while remaining > 0 {
            let byteIndex = position >> 3
            let bitOffset = position & 7
            let available = 8 - bitOffset
            let take = min(available, remaining)
            let byte = UInt64(bytes[byteIndex])
            let chunk = (byte >> UInt64(available - take)) & ((1 << UInt64(take)) - 1)
            value = (value << UInt64(take)) | chunk
            position += take
            remaining -= take
        }
        return value
    }

    /// An unsigned LEB128 varint.
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
}

extension BitWriter {
    mutating func writeUVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            writeByte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        writeByte(UInt8(v))
    }

    mutating func writeVarint(_ value: Int64) {
        writeUVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }
}
