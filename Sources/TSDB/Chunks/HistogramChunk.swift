import MetricModel

/// A chunk of integer native histograms in Prometheus' histogram chunk encoding (2), so chunks
/// move between Vigil and Prometheus' blocks unchanged.
///
/// Layout after the sample count (two bytes) and the header byte: the layout all samples share
/// (``HistogramChunkLayout``), then per sample the timestamp, count and zero count as a value,
/// a delta, then deltas of deltas (varbit integers), the sum XOR-encoded, and every bucket (as the
/// difference to the bucket before it, see ``NativeHistogram``) as a value, delta, delta of deltas.
public struct HistogramChunk: Sendable {
    /// The encoding byte of this chunk in chunk files.
    public static let encoding: UInt8 = 2

    /// The bits after the three header bytes.
    private(set) var stream = BitWriter()
    public private(set) var count = 0
    public private(set) var minTime: Int64 = .max
    public private(set) var maxTime: Int64 = .min
    /// What the chunk's first sample says about a reset since the chunk before.
    public private(set) var header: HistogramCounterResetHint = .unknown
    /// The shared layout; nil until the first sample.
    public private(set) var layout: HistogramChunkLayout?
    /// Set for a chunk read from bytes: it is complete and takes no appends.
    private var sealed = false
    /// Set when the bits live in a head chunk file instead of ``stream`` (a closed chunk written
    /// there): such a chunk is sealed, and keeps neither encoder state nor layout on the heap.
    private(set) var mapped: MappedChunkBytes?
    private var state = EncoderState()

    /// What the encoder must remember of the samples so far.
    private struct EncoderState: Sendable {
        var timeDelta: Int64 = 0
        var count: UInt64 = 0
        var countDelta: Int64 = 0
        var zeroCount: UInt64 = 0
        var zeroCountDelta: Int64 = 0
        var sum: UInt64 = 0
        var sumLeading: UInt8 = 0xFF
        var sumTrailing: UInt8 = 0
        var positive: [Int64] = []
        var positiveDelta: [Int64] = []
        var negative: [Int64] = []
        var negativeDelta: [Int64] = []
    }

    public init() {}

    /// What ``append(t:_:)`` did.
    public enum AppendOutcome: Sendable, Equatable {
        /// The sample is in the chunk.
        case appended
        /// The sample is in the chunk, which was rewritten to a wider layout first (the sample
        /// brought buckets the chunk had not seen; earlier samples hold zero there).
        case recoded
        /// The chunk cannot take the sample (another schema, zero threshold or custom bounds, a
        /// full or sealed chunk, inconsistent buckets): cut a new chunk for it.
        case needsNewChunk
    }

    /// Most samples a chunk holds: the sample count is 16 bits.
    public static let maximumSamples = Int(UInt16.max)

    /// Appends `h` at `t`; the caller guarantees `t` is after ``maxTime`` and that a counter
    /// reset since the previous sample starts a new chunk (its hint goes to the header).
    public mutating func append(t: Int64, _ h: NativeHistogram) -> AppendOutcome {
        guard !sealed, count < Self.maximumSamples else { return .needsNewChunk }
        if StaleNaN.isStale(h.sum) {
            // A staleness marker fits any chunk; the first sample of a chunk gives it an empty layout.
            if layout == nil {
                header = h.counterResetHint
                layout = HistogramChunkLayout(NativeHistogram(schema: 0, count: 0, sum: 0))
                layout?.write(to: &stream)
            }
            write(t: t, h)
            return .appended
        }
        // After a staleness marker only markers follow in the chunk.
        guard !StaleNaN.isStale(Double(bitPattern: state.sum)) || count == 0,
              h.positiveSpans.bucketCount == h.positiveDeltas.count, h.negativeSpans.bucketCount == h.negativeDeltas.count else { return .needsNewChunk }
        let incoming = HistogramChunkLayout(h)
        guard let layout else {
            header = h.counterResetHint
            self.layout = incoming
            incoming.write(to: &stream)
            write(t: t, h)
            return .appended
        }
        guard let widened = layout.accommodating(incoming),
              let sample = h.widened(positive: widened.positiveSpans, negative: widened.negativeSpans) else { return .needsNewChunk }
        if widened == layout {
            write(t: t, sample)
            return .appended
        }
        guard recode(to: widened) else { return .needsNewChunk }
        write(t: t, sample)
        return .recoded
    }

    /// Rewrites the chunk with `wider` spans: every sample decoded, widened and appended again.
    private mutating func recode(to wider: HistogramChunkLayout) -> Bool {
        guard let samples = histograms() else { return false }
        var rebuilt = HistogramChunk()
        rebuilt.header = header
        rebuilt.layout = wider
        wider.write(to: &rebuilt.stream)
        for sample in samples {
            guard let h = sample.histogram.widened(positive: wider.positiveSpans, negative: wider.negativeSpans) else { return false }
            rebuilt.write(t: sample.t, h)
        }
        self = rebuilt
        return true
    }

    /// Writes one sample whose buckets match the chunk's layout. From the second sample on every
    /// field is a delta of deltas (the deltas start at zero, so the second sample's are plain
    /// deltas). A staleness marker writes its time and sum only, with zero for the count fields
    /// and no buckets, and leaves the bucket state as it was.
    private mutating func write(t: Int64, _ h: NativeHistogram) {
        let stale = StaleNaN.isStale(h.sum)
        let total = stale ? 0 : h.count, zero = stale ? 0 : h.zeroCount
        if count == 0 {
            stream.writeVarbitInt(t)
            stream.writeVarbitUInt(total)
            stream.writeVarbitUInt(zero)
            stream.writeBits(h.sum.bitPattern, 64)
            minTime = t
            state.positive = stale ? [] : h.positiveDeltas
            state.negative = stale ? [] : h.negativeDeltas
            state.positiveDelta = Array(repeating: 0, count: state.positive.count)
            state.negativeDelta = Array(repeating: 0, count: state.negative.count)
            for b in state.positive { stream.writeVarbitInt(b) }
            for b in state.negative { stream.writeVarbitInt(b) }
        } else {
            let timeDelta = t &- maxTime
            let countDelta = Int64(bitPattern: total &- state.count)
            let zeroCountDelta = Int64(bitPattern: zero &- state.zeroCount)
            stream.writeVarbitInt(timeDelta &- state.timeDelta)
            stream.writeVarbitInt(stale ? 0 : countDelta &- state.countDelta)
            stream.writeVarbitInt(stale ? 0 : zeroCountDelta &- state.zeroCountDelta)
            stream.writeXOR(h.sum.bitPattern, previous: state.sum, leading: &state.sumLeading, trailing: &state.sumTrailing)
            state.timeDelta = timeDelta
            state.countDelta = countDelta
            state.zeroCountDelta = zeroCountDelta
            if !stale {
                for i in h.positiveDeltas.indices {
                    let delta = h.positiveDeltas[i] &- state.positive[i]
                    stream.writeVarbitInt(delta &- state.positiveDelta[i])
                    state.positiveDelta[i] = delta
                }
                for i in h.negativeDeltas.indices {
                    let delta = h.negativeDeltas[i] &- state.negative[i]
                    stream.writeVarbitInt(delta &- state.negativeDelta[i])
                    state.negativeDelta[i] = delta
                }
                state.positive = h.positiveDeltas
                state.negative = h.negativeDeltas
            }
        }
        state.count = total
        state.zeroCount = zero
        state.sum = h.sum.bitPattern
        maxTime = t
        count += 1
    }

    /// The newest sample as the chunk holds it (its buckets on the chunk's layout): read from the
    /// encoder's state, so checking each append against it decodes nothing; decoded for a sealed
    /// chunk. Nil for an empty or damaged chunk.
    public var lastHistogram: NativeHistogram? {
        guard count > 0 else { return nil }
        guard !sealed, let layout else { return histograms()?.last?.histogram }
        let hint = HistogramChunkHeader.hint(forSampleAt: count - 1, header: header)
        let sum = Double(bitPattern: state.sum)
        if StaleNaN.isStale(sum) { return NativeHistogram(counterResetHint: hint, schema: 0, count: 0, sum: sum) }
        return NativeHistogram(counterResetHint: hint, schema: layout.schema, zeroThreshold: layout.zeroThreshold,
                               zeroCount: state.zeroCount, count: state.count, sum: sum,
                               positiveSpans: layout.positiveSpans, positiveDeltas: state.positive,
                               negativeSpans: layout.negativeSpans, negativeDeltas: state.negative, customValues: layout.customValues)
    }

    // MARK: Bytes

    /// Compressed size in bytes, header included.
    public var byteCount: Int { 3 + (mapped?.count ?? stream.bytes.count) }

    /// Whether the bits live in a mapped file rather than on the heap.
    public var isMapped: Bool { mapped != nil }

    /// Calls `body` with the bits after the header, wherever they live.
    func withBits<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let mapped { return body(mapped.bytes) }
        return stream.bytes.withUnsafeBytes(body)
    }

    /// The chunk as Prometheus' histogram chunk data: sample count (big-endian 16 bits), the
    /// header byte, then the bits zero-padded to a byte.
    public var prometheusData: [UInt8] {
        HistogramChunkHeader.frame(count: count, header: header, bits: mapped.map { Array($0.bytes) } ?? stream.prometheusBytes)
    }

    /// A chunk read in place from a mapped file: `data` (Prometheus' histogram chunk data) must
    /// lie inside `file`'s mapping. Nothing is copied or decoded; the chunk is sealed.
    init?(prometheusData data: UnsafeRawBufferPointer, in file: MappedFile, minTime: Int64, maxTime: Int64, headReference: UInt64?) {
        guard let (count, header, bytes) = HistogramChunkHeader.mappedBits(of: data, in: file, headReference: headReference) else { return nil }
        self.init(sealedCount: count, header: header, minTime: minTime, maxTime: maxTime, mapped: bytes)
    }

    /// This chunk with its bits moved to `bytes` (the same bits, written to a file): sealed, the
    /// heap copy, encoder state and layout gone; time range, count and header kept.
    func moved(to bytes: MappedChunkBytes) -> HistogramChunk {
        HistogramChunk(sealedCount: count, header: header, minTime: minTime, maxTime: maxTime, mapped: bytes)
    }

    /// A sealed chunk of these parts: its bits in `stream` or, when `mapped` is given, in a file.
    private init(sealedCount count: Int, header: HistogramCounterResetHint, minTime: Int64, maxTime: Int64, stream: BitWriter = BitWriter(),
                 mapped: MappedChunkBytes? = nil) {
        self.count = count
        self.header = header
        self.minTime = minTime
        self.maxTime = maxTime
        self.stream = stream
        self.mapped = mapped
        sealed = true
    }

    /// A chunk read from a block or a chunk file (the bytes are copied), with the time range its
    /// index entry gives. Nothing is decoded until it is read; nil when the data cannot hold the
    /// header. The chunk is sealed: appends go to a new chunk.
    public init?(prometheusData data: UnsafeRawBufferPointer, minTime: Int64, maxTime: Int64) {
        guard let (count, header, bits) = HistogramChunkHeader.unframe(data) else { return nil }
        self.init(sealedCount: count, header: header, minTime: minTime, maxTime: maxTime, stream: bits)
    }

    // MARK: Decoding

    /// Every sample, or nil when the bits are damaged.
    public func histograms() -> [HistogramSample]? {
        var out: [HistogramSample] = []
        return decode(mint: .min, maxt: .max, into: &out) ? out : nil
    }

    /// Appends the samples with `mint <= t <= maxt` to `out`; false when the bits are damaged
    /// (the samples before the damage are kept).
    @discardableResult
    public func decode(mint: Int64, maxt: Int64, into out: inout [HistogramSample]) -> Bool {
        guard count > 0 else { return true }
        return withBits { raw in
            var reader = ChunkBitReader(raw)
            guard let layout = HistogramChunkLayout.read(from: &reader) else { return false }
            let positiveCount = layout.positiveSpans.bucketCount, negativeCount = layout.negativeSpans.bucketCount
            // A damaged layout could claim more buckets than the bits can hold (one bit each).
            guard positiveCount + negativeCount <= reader.remainingBits else { return false }
            var t: Int64 = 0, timeDelta: Int64 = 0
            var total: UInt64 = 0, totalDelta: Int64 = 0, zero: UInt64 = 0, zeroDelta: Int64 = 0
            var sum: UInt64 = 0, leading: UInt8 = 0xFF, trailing: UInt8 = 0
            var positive = [Int64](repeating: 0, count: positiveCount), positiveDelta = positive
            var negative = [Int64](repeating: 0, count: negativeCount), negativeDelta = negative
            for n in 0..<count {
                if n == 0 {
                    guard let t0 = reader.readVarbitInt(), let c = reader.readVarbitUInt(), let z = reader.readVarbitUInt(),
                          let s = reader.readBits(64) else { return false }
                    t = t0; total = c; zero = z; sum = s
                    if !StaleNaN.isStale(Double(bitPattern: sum)) {
                        for i in 0..<positiveCount { guard let b = reader.readVarbitInt() else { return false }; positive[i] = b }
                        for i in 0..<negativeCount { guard let b = reader.readVarbitInt() else { return false }; negative[i] = b }
                    }
                } else {
                    guard let dt = reader.readVarbitInt(), let dc = reader.readVarbitInt(), let dz = reader.readVarbitInt() else { return false }
                    timeDelta &+= dt; totalDelta &+= dc; zeroDelta &+= dz
                    t &+= timeDelta
                    total = total &+ UInt64(bitPattern: totalDelta)
                    zero = zero &+ UInt64(bitPattern: zeroDelta)
                    guard reader.readXOR(&sum, leading: &leading, trailing: &trailing) else { return false }
                    if !StaleNaN.isStale(Double(bitPattern: sum)) {
                        for i in 0..<positiveCount {
                            guard let d = reader.readVarbitInt() else { return false }
                            positiveDelta[i] &+= d
                            positive[i] &+= positiveDelta[i]
                        }
                        for i in 0..<negativeCount {
                            guard let d = reader.readVarbitInt() else { return false }
                            negativeDelta[i] &+= d
                            negative[i] &+= negativeDelta[i]
                        }
                    }
                }
                if t > maxt { return true }
                if t >= mint {
                    let hint = HistogramChunkHeader.hint(forSampleAt: n, header: header)
                    if StaleNaN.isStale(Double(bitPattern: sum)) {
                        // A staleness marker carries no buckets: an empty histogram with the marker as its sum.
                        out.append(HistogramSample(t: t, histogram: NativeHistogram(counterResetHint: hint, schema: 0, count: 0, sum: StaleNaN.value)))
                        continue
                    }
                    let h = NativeHistogram(counterResetHint: hint, schema: layout.schema,
                                            zeroThreshold: layout.zeroThreshold, zeroCount: zero, count: total, sum: Double(bitPattern: sum),
                                            positiveSpans: layout.positiveSpans, positiveDeltas: positive,
                                            negativeSpans: layout.negativeSpans, negativeDeltas: negative, customValues: layout.customValues)
                    out.append(HistogramSample(t: t, histogram: h))
                }
            }
            return true
        }
    }
}

/// One integer histogram sample.
public struct HistogramSample: Sendable, Hashable {
    public var t: Int64
    public var histogram: NativeHistogram
    public init(t: Int64, histogram: NativeHistogram) { self.t = t; self.histogram = histogram }
}

extension HistogramChunkLayout {
    /// The layout of one histogram.
    init(_ h: NativeHistogram) {
        self.init(schema: h.schema, zeroThreshold: h.zeroThreshold, positiveSpans: h.positiveSpans, negativeSpans: h.negativeSpans, customValues: h.customValues)
    }
}

extension NativeHistogram {
    /// The same histogram over wider spans (every bucket of its own spans among them), zero in
    /// the buckets it lacked; nil when its spans are not within them.
    func widened(positive: [HistogramSpan], negative: [HistogramSpan]) -> NativeHistogram? {
        var out = self
        guard let p = Self.widen(positiveDeltas, from: positiveSpans, to: positive),
              let n = Self.widen(negativeDeltas, from: negativeSpans, to: negative) else { return nil }
        out.positiveSpans = positive
        out.positiveDeltas = p
        out.negativeSpans = negative
        out.negativeDeltas = n
        return out
    }

    private static func widen(_ deltas: [Int64], from spans: [HistogramSpan], to wider: [HistogramSpan]) -> [Int64]? {
        if spans == wider { return deltas }
        return spans.spread(absoluteCounts(deltas), onto: wider).map(NativeHistogram.deltas)
    }
}
