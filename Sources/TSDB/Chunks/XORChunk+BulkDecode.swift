/// The chunk's decoder, used by queries, sample lists and snapshot validation alike: a whole
/// chunk (or its tail from a checkpoint) at once. The bytes are copied once into a
/// zero-padded scratch buffer so every read is one unaligned 64-bit load with no end-of-buffer
/// branch and no reference counting, and samples go straight into the caller's arrays.
extension XORChunk {
    /// Zero bytes after the copied stream: more than one sample can read past the last bit
    /// (4 + 64 bits of timestamp, 2 + 11 + 64 of value, plus the ninth byte of a straddling load),
    /// so a corrupt stream is caught by the per-sample bounds check before any read leaves the buffer.
    private static let padding = 40

    /// Appends the samples with `mint <= t <= maxt` to `times` and `values`. Returns false when
    /// the stream is corrupt (the samples before the damage are kept).
    @discardableResult
    public func appendSamples(mint: Int64, maxt: Int64, times: inout [Int64], values: inout [Double]) -> Bool {
        if tailKnown, maxt >= maxTime, mint <= maxTime, count == 1 || mint > maxTime &- lastDelta {
            // Only the newest sample is in range (the one before it is `lastDelta` older): an
            // instant selector at the head reads no bits at all.
            times.append(maxTime)
            values.append(Double(bitPattern: lastValue))
            return true
        }
        let checkpoint = checkpoint(before: mint), bitCount = bitCount, count = count
        return withEncodedBytes { bytes in
            Self.appendSamples(encoded: bytes, bitCount: bitCount, count: count, from: checkpoint, mint: mint, maxt: maxt, times: &times, values: &values)
        }
    }

    /// The same for an encoded stream that need not be valid (tests feed damaged ones).
    static func appendSamples(encoded bytes: [UInt8], bitCount: Int, count: Int, from checkpoint: DecoderCheckpoint? = nil,
                              mint: Int64, maxt: Int64, times: inout [Int64], values: inout [Double]) -> Bool {
        bytes.withUnsafeBytes { raw in
            appendSamples(encoded: raw, bitCount: bitCount, count: count, from: checkpoint, mint: mint, maxt: maxt, times: &times, values: &values)
        }
    }

    /// The decoder over bytes wherever they live (the heap, a mapped file).
    static func appendSamples(encoded bytes: UnsafeRawBufferPointer, bitCount: Int, count: Int, from checkpoint: DecoderCheckpoint? = nil,
                              mint: Int64, maxt: Int64, times: inout [Int64], values: inout [Double]) -> Bool {
        guard count > 0 else { return true }
        guard bitCount >= 0, bitCount <= bytes.count * 8 else { return false }
        return withUnsafeTemporaryAllocation(byteCount: bytes.count + padding, alignment: 8) { scratch in
            guard let base = scratch.baseAddress else { return false }
            scratch.initializeMemory(as: UInt8.self, repeating: 0)
            if !bytes.isEmpty { scratch.copyMemory(from: bytes) }
            var reader = PaddedBitReader(base: UnsafeRawPointer(base), totalBits: bitCount)
            if let checkpoint {
                guard Int(checkpoint.index) < count, Int(checkpoint.bitPosition) <= bitCount else { return false }
                return reader.decode(count: count, resumingAt: checkpoint, mint: mint, maxt: maxt, times: &times, values: &values)
            }
            return reader.decode(count: count, mint: mint, maxt: maxt, times: &times, values: &values)
        }
    }
}

/// Reads bits from a buffer with at least ``XORChunk/padding`` zero bytes past `totalBits`; the
/// caller checks ``overran`` once per sample.
private struct PaddedBitReader {
    let base: UnsafeRawPointer
    let totalBits: Int
    var position = 0

    var overran: Bool { position > totalBits }

    /// The 64 bits from the current position, left-aligned.
    @inline(__always)
    func peek64() -> UInt64 {
        let byteIndex = position &>> 3
        let offset = UInt64(position & 7)
        let word = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self))
        guard offset != 0 else { return word }
        let next = UInt64(base.load(fromByteOffset: byteIndex &+ 8, as: UInt8.self))
        return (word &<< offset) | (next &>> (8 &- offset))
    }

    /// The next `count` bits (1...64) as an unsigned value.
    @inline(__always)
    mutating func read(_ count: Int) -> UInt64 {
        let v = peek64() &>> UInt64(64 &- count)
        position &+= count
        return v
    }

    mutating func readUVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 {
            let b = read(8)
            result |= (b & 0x7F) &<< shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    /// Decodes `count` samples, appending those within `[mint, maxt]`; false on a corrupt stream.
    mutating func decode(count: Int, mint: Int64, maxt: Int64, times: inout [Int64], values: inout [Double]) -> Bool {
        guard let first = readUVarint() else { return false }
        let t = Int64(bitPattern: (first &>> 1) ^ (0 &- (first & 1)))
        let value = read(64)
        guard !overran else { return false }
        if t > maxt { return true }
        if t >= mint { times.append(t); values.append(Double(bitPattern: value)) }
        guard count > 1 else { return true }
        guard let d = readUVarint() else { return false }
        let state = DecoderCheckpoint(t: t, value: value, delta: Int64(bitPattern: d), bitPosition: UInt32(clamping: position), index: 1, leading: 0, trailing: 0)
        return decodeRest(count: count, from: state, mint: mint, maxt: maxt, times: &times, values: &values)
    }

    /// Decodes from a checkpoint to the end.
    mutating func decode(count: Int, resumingAt checkpoint: DecoderCheckpoint, mint: Int64, maxt: Int64,
                         times: inout [Int64], values: inout [Double]) -> Bool {
        position = Int(checkpoint.bitPosition)
        return decodeRest(count: count, from: checkpoint, mint: mint, maxt: maxt, times: &times, values: &values)
    }

    /// Samples `state.index..<count`, the reader at the first of them and `state` holding what
    /// the samples before left (after the first sample, the second's delta is already read).
    @inline(__always)
    private mutating func decodeRest(count: Int, from state: DecoderCheckpoint, mint: Int64, maxt: Int64,
                                     times: inout [Int64], values: inout [Double]) -> Bool {
        var t = state.t, value = state.value, delta = state.delta
        var leading = Int(state.leading), trailing = Int(state.trailing)
        for n in Int(state.index)..<count {
            if n > 1 {
                // Up to four one-bits ended by a zero select the width of the delta of deltas.
                let head = peek64()
                let ones = min(4, (~head).leadingZeroBitCount)
                position &+= ones < 4 ? ones &+ 1 : 4
                let width = XORChunk.deltaOfDeltaWidth(prefixOnes: ones)
                if width == 64 {
                    delta &+= Int64(bitPattern: read(64))
                } else if width > 0 {
                    // Prometheus' convention (see `XORChunk.fits`): above 2^(width-1) is negative.
                    let raw = read(width)
                    let half = UInt64(1) &<< UInt64(width &- 1)
                    delta &+= raw > half ? Int64(bitPattern: raw) &- Int64(bitPattern: half &<< 1) : Int64(bitPattern: raw)
                }
            }
            t &+= delta
            // Value: 0 = unchanged, 10 = the previous window, 11 = a new window (5 + 6 bits).
            let control = peek64() &>> 62
            if control & 0b10 == 0 {
                position &+= 1
            } else {
                position &+= 2
                if control == 0b11 {
                    let header = read(11)
                    leading = Int(header &>> 6)
                    let sig = Int(header & 0x3F)
                    let significant = sig == 0 ? 64 : sig
                    guard leading &+ significant <= 64 else { return false }
                    trailing = 64 &- leading &- significant
                }
                let significant = 64 &- leading &- trailing
                guard significant > 0 else { return false }
                value ^= read(significant) &<< UInt64(trailing)
            }
            guard !overran else { return false }
            if t > maxt { return true }
            if t >= mint {
                times.append(t)
                values.append(Double(bitPattern: value))
            }
        }
        return true
    }
}
