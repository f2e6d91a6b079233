/// A Gorilla-style chunk of float samples: delta-of-delta timestamps and XOR-compressed values.
///
/// Layout: the first sample as a varint timestamp and raw 64-bit value, the second as a uvarint
/// delta and an XOR value, later ones as a bucketed delta-of-delta and an XOR value. The sample
/// count, time range and encoder state live beside the bits so appends are O(1).
public struct XORChunk: Sendable, Hashable {
    private(set) var stream = BitWriter()
    /// Set when the bits live in a mapped file instead of ``stream`` (a full head chunk written to
    /// its chunk file, or a chunk of a block): such a chunk is complete and never appended to.
    private(set) var mapped: MappedChunkBytes?
    public private(set) var count: Int = 0
    public private(set) var minTime: Int64 = .max
    public private(set) var maxTime: Int64 = .min

    /// Decoder states every ``checkpointInterval`` samples, so a read of the chunk's end need not
    /// decode it from the start (see `XORChunk+Checkpoints.swift`). Kept only while the chunk is
    /// among a series' newest, where instant queries and rules read.
    private(set) var checkpoints: [DecoderCheckpoint] = []
    private var recordsCheckpoints = true
    /// False for a chunk read from a block: its newest value and last delta are not known without
    /// decoding, so the shortcuts that use them decode instead.
    private(set) var tailKnown = true

    // Encoder state.
    private(set) var lastValue: UInt64 = 0
    private(set) var lastDelta: Int64 = 0
    private var leading: UInt8 = 0xFF
    private var trailing: UInt8 = 0

    /// Prometheus cuts chunks at 120 samples: about two hours of 1-minute or 30 minutes of 15 s data.
    public static let targetSamples = 120

    public init() {}

    /// Compressed size in bytes.
    public var byteCount: Int { mapped?.count ?? stream.bytes.count }

    /// Whether the bits live in a mapped file rather than on the heap.
    public var isMapped: Bool { mapped != nil }

    /// Forgets the decoder checkpoints and records no more: the chunk has aged out of the reads
    /// they speed up.
    public mutating func dropCheckpoints() {
        recordsCheckpoints = false
        checkpoints = []
    }

    /// The encoded bits (for snapshots).
    public var encodedBytes: [UInt8] { mapped.map { Array($0.bytes) } ?? stream.bytes }
    /// Bits of the stream; for a mapped chunk its whole bytes (the last may be padding).
    public var bitCount: Int { mapped.map { $0.count * 8 } ?? stream.bitCount }

    /// Calls `body` with the encoded bits, wherever they live.
    func withEncodedBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let mapped { return body(mapped.bytes) }
        return stream.bytes.withUnsafeBytes(body)
    }

    /// Appends a sample; the caller guarantees `t` is greater than ``maxTime``.
    public mutating func append(t: Int64, v: Double) {
        assert(mapped == nil, "a mapped chunk is complete")
        let bits = v.bitPattern
        if recordsCheckpoints, count > 0, count % Self.checkpointInterval == 0, count <= UInt16.max, stream.bitCount <= UInt32.max {
            checkpoints.append(DecoderCheckpoint(t: maxTime, value: lastValue, delta: lastDelta, bitPosition: UInt32(stream.bitCount),
                                                 index: UInt16(count), leading: leading == 0xFF ? 0 : leading, trailing: trailing))
        }
        switch count {
        case 0:
            stream.writeVarint(t)
            stream.writeBits(bits, 64)
            minTime = t
        case 1:
            let delta = t &- maxTime
            stream.writeUVarint(UInt64(bitPattern: delta))
            writeValue(bits)
            lastDelta = delta
        default:
            let delta = t &- maxTime
            let dod = delta &- lastDelta
            if dod == 0 {
                stream.writeBit(false)
            } else if Self.fits(dod, bits: 14) {
                stream.writeBits(0b10, 2)
                stream.writeBits(UInt64(bitPattern: dod), 14)
            } else if Self.fits(dod, bits: 17) {
                stream.writeBits(0b110, 3)
                stream.writeBits(UInt64(bitPattern: dod), 17)
            } else if Self.fits(dod, bits: 20) {
                stream.writeBits(0b1110, 4)
                stream.writeBits(UInt64(bitPattern: dod), 20)
            } else {
                stream.writeBits(0b1111, 4)
                stream.writeBits(UInt64(bitPattern: dod), 64)
            }
            writeValue(bits)
            lastDelta = delta
        }
        lastValue = bits
        maxTime = t
        count += 1
    }

    /// Bits of a delta of deltas after a prefix of this many one-bits (0...4), as `append` writes them.
    @inline(__always)
    static func deltaOfDeltaWidth(prefixOnes: Int) -> Int {
        switch prefixOnes {
        case 0: return 0
        case 1: return 14
        case 2: return 17
        case 3: return 20
        default: return 64
        }
    }

    /// Whether a delta of deltas fits a `bits`-wide bucket. The range is Prometheus': one more
    /// positive value than two's complement and one fewer negative (the pattern `10…0` reads as
    /// +2^(bits-1)), so chunks are bit-identical to those in Prometheus' blocks.
    @inline(__always)
    static func fits(_ v: Int64, bits: Int) -> Bool {
        let limit = Int64(1) << (bits - 1)
        return v > -limit && v <= limit
    }

    @inline(__always)
    private mutating func writeValue(_ bits: UInt64) {
        stream.writeXOR(bits, previous: lastValue, leading: &leading, trailing: &trailing)
    }

    /// A chunk read from a block: Prometheus' XOR chunk data (a big-endian 16-bit sample count,
    /// then the bit stream) with the time range its index entry gives. Nothing is decoded until a
    /// query reads it; nil when the data is too short to hold its header.
    package init?(prometheusData data: UnsafeRawBufferPointer, minTime: Int64, maxTime: Int64) {
        guard data.count >= 2 else { return nil }
        let n = Int(data[0]) << 8 | Int(data[1])
        stream = BitWriter(bytes: Array(data[2...]), free: 0)
        count = n
        self.minTime = minTime
        self.maxTime = maxTime
        recordsCheckpoints = false
        tailKnown = false
    }

    /// The same, read in place from a mapped file: `data` (Prometheus' XOR chunk data, sample
    /// count first) must lie inside `file`'s mapping. Nothing is copied or decoded.
    init?(prometheusData data: UnsafeRawBufferPointer, in file: MappedFile, minTime: Int64, maxTime: Int64, headReference: UInt64? = nil) {
        guard data.count >= 2, let start = data.baseAddress, let base = file.bytes.baseAddress else { return nil }
        let offset = base.distance(to: start)
        guard offset >= 0, offset + data.count <= file.count else { return nil }
        count = Int(data[0]) << 8 | Int(data[1])
        mapped = MappedChunkBytes(file: file, offset: offset + 2, count: data.count - 2, headReference: headReference)
        self.minTime = minTime
        self.maxTime = maxTime
        recordsCheckpoints = false
        tailKnown = false
    }

    /// A chunk whose bits are `bytes`, as recorded when it was written there.
    init(mapped bytes: MappedChunkBytes, count: Int, minTime: Int64, maxTime: Int64) {
        mapped = bytes
        self.count = count
        self.minTime = minTime
        self.maxTime = maxTime
        recordsCheckpoints = false
        tailKnown = false
    }

    /// This chunk with its bits moved to `bytes` (the same bits, written to a file): the heap copy
    /// and the decoder checkpoints go, the time range and newest sample stay known.
    func moved(to bytes: MappedChunkBytes) -> XORChunk {
        var out = self
        out.stream = BitWriter()
        out.mapped = bytes
        out.dropCheckpoints()
        return out
    }

    /// The chunk as Prometheus' XOR chunk data: sample count (big-endian 16 bits), then the bits,
    /// zero-padded to a byte. Chunks hold at most ``targetSamples`` samples, far below 65,535.
    var prometheusData: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2 + byteCount)
        let n = UInt16(clamping: count)
        out.append(UInt8(n >> 8))
        out.append(UInt8(n & 0xFF))
        withEncodedBytes { out.append(contentsOf: $0) }
        return out
    }

    /// Rebuilds a chunk from encoded bytes (from a snapshot), validating every sample.
    /// Returns nil when the bytes do not decode to `count` samples.
    public init?(encoded bytes: [UInt8], bitCount: Int, count: Int) {
        guard bitCount <= bytes.count * 8, bitCount > bytes.count * 8 - 8 || bytes.isEmpty, count >= 0 else { return nil }
        var times: [Int64] = [], values: [Double] = []
        guard Self.appendSamples(encoded: bytes, bitCount: bitCount, count: count, mint: .min, maxt: .max, times: &times, values: &values),
              times.count == count else { return nil }
        var rebuilt = XORChunk()
        for (k, (t, v)) in zip(times, values).enumerated() {
            if k > 0 && t <= rebuilt.maxTime { return nil }
            rebuilt.append(t: t, v: v)
        }
        // Re-encoding is deterministic, so the bytes are identical to what was stored.
        self = rebuilt
    }
}

/// One timestamp/value pair.
public struct Sample: Sendable, Hashable {
    public var t: Int64
    public var v: Double
    public init(t: Int64, v: Double) { self.t = t; self.v = v }

    public static func == (a: Sample, b: Sample) -> Bool { a.t == b.t && a.v.bitPattern == b.v.bitPattern }
    public func hash(into h: inout Hasher) { h.combine(t); h.combine(v.bitPattern) }
}
