import MetricModel

/// A chunk of float native histograms (what rules and queries produce) in Prometheus' float
/// histogram chunk encoding (3): the layout of ``HistogramChunkLayout``, then per sample the
/// timestamp as in ``HistogramChunk`` and every float (count, zero count, sum, each bucket's
/// absolute count) raw in the first sample and XOR-encoded against its previous value after.
public struct FloatHistogramChunk: Sendable {
    /// The encoding byte of this chunk in chunk files.
    public static let encoding: UInt8 = 3

    private(set) var stream = BitWriter()
    public private(set) var count = 0
    public private(set) var minTime: Int64 = .max
    public private(set) var maxTime: Int64 = .min
    public private(set) var header: HistogramCounterResetHint = .unknown
    public private(set) var layout: HistogramChunkLayout?
    private var sealed = false
    /// Set when the bits live in a head chunk file instead of ``stream`` (see ``HistogramChunk``).
    private(set) var mapped: MappedChunkBytes?
    private var timeDelta: Int64 = 0
    /// Previous bits and XOR window of every float of a sample: count, zero count, sum, then
    /// the positive and the negative buckets.
    private var fields: [XORField] = []

    struct XORField: Sendable {
        var bits: UInt64 = 0
        var leading: UInt8 = 0xFF
        var trailing: UInt8 = 0

        mutating func write(_ new: UInt64, to stream: inout BitWriter) {
            stream.writeXOR(new, previous: bits, leading: &leading, trailing: &trailing)
            bits = new
        }

        mutating func read(from reader: inout ChunkBitReader) -> Bool {
            reader.readXOR(&bits, leading: &leading, trailing: &trailing)
        }
    }

    public init() {}

    /// Appends `h` at `t` (after ``maxTime``); the outcomes are ``HistogramChunk``'s.
    public mutating func append(t: Int64, _ h: FloatHistogram) -> HistogramChunk.AppendOutcome {
        guard !sealed, count < HistogramChunk.maximumSamples else { return .needsNewChunk }
        if StaleNaN.isStale(h.sum) {
            // A staleness marker fits any chunk; the first sample of a chunk gives it an empty layout.
            if layout == nil {
                header = h.counterResetHint
                layout = HistogramChunkLayout(FloatHistogram(schema: 0, count: 0, sum: 0))
                layout?.write(to: &stream)
            }
            write(t: t, h)
            return .appended
        }
        // After a staleness marker only markers follow in the chunk.
        guard count == 0 || !StaleNaN.isStale(Double(bitPattern: fields[2].bits)),
              h.positiveSpans.bucketCount == h.positiveBuckets.count, h.negativeSpans.bucketCount == h.negativeBuckets.count else { return .needsNewChunk }
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
        guard let samples = histograms() else { return .needsNewChunk }
        var rebuilt = FloatHistogramChunk()
        rebuilt.header = header
        rebuilt.layout = widened
        widened.write(to: &rebuilt.stream)
        for s in samples {
            guard let w = s.histogram.widened(positive: widened.positiveSpans, negative: widened.negativeSpans) else { return .needsNewChunk }
            rebuilt.write(t: s.t, w)
        }
        self = rebuilt
        write(t: t, sample)
        return .recoded
    }

    /// Writes one sample whose buckets match the layout. A staleness marker writes its time, zero
    /// counts and its sum, and no buckets.
    private mutating func write(t: Int64, _ h: FloatHistogram) {
        let stale = StaleNaN.isStale(h.sum)
        let values = stale ? [0, 0, h.sum] : [h.count, h.zeroCount, h.sum] + h.positiveBuckets + h.negativeBuckets
        if count == 0 {
            stream.writeVarbitInt(t)
            fields = values.map { XORField(bits: $0.bitPattern) }
            for v in values { stream.writeBits(v.bitPattern, 64) }
            minTime = t
        } else {
            let delta = t &- maxTime
            stream.writeVarbitInt(delta &- timeDelta)
            timeDelta = delta
            for (i, v) in values.enumerated() { fields[i].write(v.bitPattern, to: &stream) }
        }
        maxTime = t
        count += 1
    }

    /// The newest sample as the chunk holds it, read from the encoder's state (decoded for a
    /// sealed chunk); nil for an empty or damaged chunk.
    public var lastHistogram: FloatHistogram? {
        guard count > 0 else { return nil }
        let positiveCount = layout?.positiveSpans.bucketCount ?? 0, negativeCount = layout?.negativeSpans.bucketCount ?? 0
        guard !sealed, let layout, fields.count >= 3 else { return histograms()?.last?.histogram }
        let hint = HistogramChunkHeader.hint(forSampleAt: count - 1, header: header)
        let sum = Double(bitPattern: fields[2].bits)
        if StaleNaN.isStale(sum) { return FloatHistogram(counterResetHint: hint, schema: 0, count: 0, sum: sum) }
        guard fields.count == 3 + positiveCount + negativeCount else { return histograms()?.last?.histogram }
        let v = fields.map { Double(bitPattern: $0.bits) }
        return FloatHistogram(counterResetHint: hint, schema: layout.schema, zeroThreshold: layout.zeroThreshold, zeroCount: v[1], count: v[0], sum: sum,
                              positiveSpans: layout.positiveSpans, positiveBuckets: Array(v[3..<(3 + positiveCount)]),
                              negativeSpans: layout.negativeSpans, negativeBuckets: Array(v[(3 + positiveCount)...]), customValues: layout.customValues)
    }

    // MARK: Bytes

    public var byteCount: Int { 3 + (mapped?.count ?? stream.bytes.count) }

    /// Whether the bits live in a mapped file rather than on the heap.
    public var isMapped: Bool { mapped != nil }

    /// Calls `body` with the bits after the header, wherever they live.
    func withBits<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let mapped { return body(mapped.bytes) }
        return stream.bytes.withUnsafeBytes(body)
    }

    /// The chunk as Prometheus' float histogram chunk data (count, header byte, bits).
    public var prometheusData: [UInt8] {
        HistogramChunkHeader.frame(count: count, header: header, bits: mapped.map { Array($0.bytes) } ?? stream.prometheusBytes)
    }

    /// A sealed chunk read in place from a mapped file (see ``HistogramChunk``).
    init?(prometheusData data: UnsafeRawBufferPointer, in file: MappedFile, minTime: Int64, maxTime: Int64, headReference: UInt64?) {
        guard let (count, header, bytes) = HistogramChunkHeader.mappedBits(of: data, in: file, headReference: headReference) else { return nil }
        self.init(sealedCount: count, header: header, minTime: minTime, maxTime: maxTime, mapped: bytes)
    }

    /// This chunk with its bits moved to `bytes`: sealed, nothing of it left on the heap but its
    /// time range, count and header.
    func moved(to bytes: MappedChunkBytes) -> FloatHistogramChunk {
        FloatHistogramChunk(sealedCount: count, header: header, minTime: minTime, maxTime: maxTime, mapped: bytes)
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

    /// A sealed chunk read from a block or chunk file (the bytes are copied); nil when the data
    /// cannot hold the header.
    public init?(prometheusData data: UnsafeRawBufferPointer, minTime: Int64, maxTime: Int64) {
        guard let (count, header, bits) = HistogramChunkHeader.unframe(data) else { return nil }
        self.init(sealedCount: count, header: header, minTime: minTime, maxTime: maxTime, stream: bits)
    }

    // MARK: Decoding

    /// Every sample, or nil when the bits are damaged.
    public func histograms() -> [FloatHistogramSample]? {
        var out: [FloatHistogramSample] = []
        return decode(mint: .min, maxt: .max, into: &out) ? out : nil
    }

    /// Appends the samples with `mint <= t <= maxt` to `out`; false when the bits are damaged.
    @discardableResult
    public func decode(mint: Int64, maxt: Int64, into out: inout [FloatHistogramSample]) -> Bool {
        guard count > 0 else { return true }
        return withBits { raw in
            var reader = ChunkBitReader(raw)
            guard let layout = HistogramChunkLayout.read(from: &reader) else { return false }
            let positiveCount = layout.positiveSpans.bucketCount, negativeCount = layout.negativeSpans.bucketCount
            guard positiveCount + negativeCount <= reader.remainingBits else { return false }
            var fields = [XORField](repeating: XORField(), count: 3 + positiveCount + negativeCount)
            var t: Int64 = 0, timeDelta: Int64 = 0
            for n in 0..<count {
                if n == 0 {
                    guard let t0 = reader.readVarbitInt() else { return false }
                    t = t0
                } else {
                    guard let d = reader.readVarbitInt() else { return false }
                    timeDelta &+= d
                    t &+= timeDelta
                }
                // Count, zero count and sum, then the buckets unless the sum marks staleness.
                for i in fields.indices {
                    if i == 3, StaleNaN.isStale(Double(bitPattern: fields[2].bits)) { break }
                    if n == 0 {
                        guard let bits = reader.readBits(64) else { return false }
                        fields[i].bits = bits
                    } else {
                        guard fields[i].read(from: &reader) else { return false }
                    }
                }
                if t > maxt { return true }
                if StaleNaN.isStale(Double(bitPattern: fields[2].bits)), t >= mint {
                    let hint = HistogramChunkHeader.hint(forSampleAt: n, header: header)
                    out.append(FloatHistogramSample(t: t, histogram: FloatHistogram(counterResetHint: hint, schema: 0, count: 0, sum: StaleNaN.value)))
                    continue
                }
                if t >= mint {
                    let v = fields.map { Double(bitPattern: $0.bits) }
                    let h = FloatHistogram(counterResetHint: HistogramChunkHeader.hint(forSampleAt: n, header: header), schema: layout.schema,
                                           zeroThreshold: layout.zeroThreshold, zeroCount: v[1], count: v[0], sum: v[2],
                                           positiveSpans: layout.positiveSpans, positiveBuckets: Array(v[3..<(3 + positiveCount)]),
                                           negativeSpans: layout.negativeSpans, negativeBuckets: Array(v[(3 + positiveCount)...]),
                                           customValues: layout.customValues)
                    out.append(FloatHistogramSample(t: t, histogram: h))
                }
            }
            return true
        }
    }
}

/// One float histogram sample.
public struct FloatHistogramSample: Sendable, Hashable {
    public var t: Int64
    public var histogram: FloatHistogram
    public init(t: Int64, histogram: FloatHistogram) { self.t = t; self.histogram = histogram }
}

extension HistogramChunkLayout {
    init(_ h: FloatHistogram) {
        self.init(schema: h.schema, zeroThreshold: h.zeroThreshold, positiveSpans: h.positiveSpans, negativeSpans: h.negativeSpans, customValues: h.customValues)
    }
}

extension FloatHistogram {
    /// The same histogram over wider spans, zero in the buckets it lacked; nil when its spans are
    /// not within them.
    func widened(positive: [HistogramSpan], negative: [HistogramSpan]) -> FloatHistogram? {
        guard let p = Self.widen(positiveBuckets, from: positiveSpans, to: positive),
              let n = Self.widen(negativeBuckets, from: negativeSpans, to: negative) else { return nil }
        var out = self
        out.positiveSpans = positive
        out.positiveBuckets = p
        out.negativeSpans = negative
        out.negativeBuckets = n
        return out
    }

    private static func widen(_ counts: [Double], from spans: [HistogramSpan], to wider: [HistogramSpan]) -> [Double]? {
        spans == wider ? counts : spans.spread(counts, onto: wider)
    }
}
