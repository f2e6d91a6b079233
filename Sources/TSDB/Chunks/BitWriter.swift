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
