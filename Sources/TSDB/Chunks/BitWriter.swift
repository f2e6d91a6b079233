/// An append-only stream of bits, most significant bit first.
struct BitWriter: Sendable, Hashable {
    private(set) var bytes: [UInt8]
    /// Unused low bits of the last byte (0 when `bytes` is empty or its last byte is full).
    private var free: Int = 0
    /// Whether the last write was of whole bytes starting on a byte boundary. Prometheus' bit
    /// stream writes whole bytes one by one, each leaving a zero byte after it for the next write
    /// to fill: a stream whose last write was such ends in that spare byte, and so do the chunks
    /// Prometheus writes from it (see ``prometheusBytes``). Not part of the stream's value.
    private(set) var endsInSpareByte = false

    static func == (a: BitWriter, b: BitWriter) -> Bool { a.bytes == b.bytes && a.free == b.free }

    func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
        hasher.combine(free)
    }

    /// The bytes as Prometheus' chunk data holds them: with the spare byte when there is one.
    var prometheusBytes: [UInt8] { endsInSpareByte ? bytes + [0] : bytes }

    init(bytes: [UInt8] = [], free: Int = 0) {
        self.bytes = bytes
        self.free = free
    }

    var bitCount: Int { bytes.count * 8 - free }

    @inline(__always)
    mutating func writeBit(_ bit: Bool) {
        endsInSpareByte = false
        if free == 0 {
            bytes.append(bit ? 0x80 : 0)
            free = 7
            return
        }
        free -= 1
        if bit { bytes[bytes.count - 1] |= 1 << UInt8(free) }
    }

    /// Writes the low `count` bits (at most 64) of `value`, most significant first: the free bits
    /// of the last byte, then whole bytes, then the start of one more. Bits of `value` above
    /// `count` are ignored. Each byte is appended once, already filled (this is the hot loop of
    /// every append).
    @inline(__always)
    mutating func writeBits(_ value: UInt64, _ count: Int) {
        // An empty write changes nothing, the spare byte included.
        guard count > 0 else { return }
        endsInSpareByte = free == 0 && count >= 8 && count & 7 == 0
        var remaining = count
        if free > 0 {
            let take = min(free, remaining)
            remaining -= take
            let chunk = UInt8(truncatingIfNeeded: (value >> UInt64(remaining)) & ((1 << UInt64(take)) - 1))
            bytes[bytes.count - 1] |= chunk << UInt8(free - take)
            free -= take
        }
        while remaining >= 8 {
            remaining -= 8
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(remaining)))
        }
        if remaining > 0 {
            bytes.append(UInt8(truncatingIfNeeded: value << UInt64(8 - remaining)))
            free = 8 - remaining
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
