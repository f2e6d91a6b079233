import Foundation
import MetricModel

/// What every sample of a histogram chunk shares and the chunk writes once, after its three
/// header bytes: the zero threshold, the schema, the positive and negative spans and (for custom
/// buckets) the bucket bounds. A sample whose layout differs is widened to the chunk's (see
/// ``HistogramChunk``) or goes to a new chunk.
public struct HistogramChunkLayout: Sendable, Hashable {
    public var schema: Int32
    public var zeroThreshold: Double
    public var positiveSpans: [HistogramSpan]
    public var negativeSpans: [HistogramSpan]
    public var customValues: [Double]

    public init(schema: Int32, zeroThreshold: Double, positiveSpans: [HistogramSpan], negativeSpans: [HistogramSpan], customValues: [Double]) {
        self.schema = schema
        self.zeroThreshold = zeroThreshold
        self.positiveSpans = positiveSpans
        self.negativeSpans = negativeSpans
        self.customValues = customValues
    }

    /// Whether `other` puts buckets in the same places: same schema, zero threshold and bounds
    /// (spans may differ).
    func sharesBuckets(with other: HistogramChunkLayout) -> Bool {
        schema == other.schema && zeroThreshold.bitPattern == other.zeroThreshold.bitPattern
            && customValues.map(\.bitPattern) == other.customValues.map(\.bitPattern)
    }

    /// Spans listing every bucket of both.
    static func union(_ a: [HistogramSpan], _ b: [HistogramSpan]) -> [HistogramSpan]? {
        guard let ia = a.bucketIndices, let ib = b.bucketIndices else { return nil }
        return .covering(Array(Set(ia).union(ib)).sorted())
    }

    /// The layout a chunk with this layout needs to take a sample laid out as `incoming`: this
    /// one when the sample's buckets are among the chunk's, a wider one (the chunk is then
    /// recoded) when the sample brings new buckets, nil when the sample cannot join the chunk
    /// (another schema, zero threshold or custom bounds).
    func accommodating(_ incoming: HistogramChunkLayout) -> HistogramChunkLayout? {
        if incoming == self { return self }
        guard sharesBuckets(with: incoming), let positive = Self.union(positiveSpans, incoming.positiveSpans),
              let negative = Self.union(negativeSpans, incoming.negativeSpans) else { return nil }
        var wider = self
        wider.positiveSpans = positive
        wider.negativeSpans = negative
        return wider
    }

    // MARK: Encoding

    /// The largest custom bound written in the short form: `y + 1` then fits 25 payload bits.
    private static let shortCustomValueLimit = 33_554_430.0

    func write(to out: inout BitWriter) {
        Self.writeZeroThreshold(zeroThreshold, to: &out)
        out.writeVarbitInt(Int64(schema))
        Self.writeSpans(positiveSpans, to: &out)
        Self.writeSpans(negativeSpans, to: &out)
        guard schema == NativeHistogram.customBucketsSchema else { return }
        out.writeVarbitUInt(UInt64(customValues.count))
        for value in customValues {
            // Bounds set by people are mostly short decimals: in thousandths they are small integers.
            let y = value * 1000
            if y >= 0, y <= Self.shortCustomValueLimit, y == y.rounded(.towardZero) {
                out.writeVarbitUInt(UInt64(y) + 1)
            } else {
                out.writeBit(false)
                out.writeBits(value.bitPattern, 64)
            }
        }
    }

    /// The threshold in one byte when it is 0 or a power of two from 2^-243 to 2^10 (byte
    /// `e + 244` for 2^e), otherwise 255 and the float.
    static func writeZeroThreshold(_ threshold: Double, to out: inout BitWriter) {
        if threshold == 0 {
            out.writeByte(0)
            return
        }
        if threshold > 0, threshold.isFinite, threshold.significandBitPattern == 0, threshold.isNormal,
           threshold.exponent >= -243, threshold.exponent <= 10 {
            out.writeByte(UInt8(threshold.exponent + 244))
            return
        }
        out.writeByte(0xFF)
        out.writeBits(threshold.bitPattern, 64)
    }

    private static func writeSpans(_ spans: [HistogramSpan], to out: inout BitWriter) {
        out.writeVarbitUInt(UInt64(spans.count))
        for span in spans {
            out.writeVarbitUInt(UInt64(span.length))
            out.writeVarbitInt(Int64(span.offset))
        }
    }

    // MARK: Decoding

    /// Most spans or custom bounds a layout may list: far above real histograms (Prometheus
    /// limits buckets to a few hundred by default), low enough that a damaged count allocates
    /// nothing large.
    static let maximumEntries = 1 << 16

    /// Reads a layout written by ``write(to:)``; nil when the bits are damaged.
    static func read(from reader: inout ChunkBitReader) -> HistogramChunkLayout? {
        guard let threshold = readZeroThreshold(from: &reader),
              let rawSchema = reader.readVarbitInt(), let schema = Int32(exactly: rawSchema),
              let positive = readSpans(from: &reader), let negative = readSpans(from: &reader) else { return nil }
        var custom: [Double] = []
        if schema == NativeHistogram.customBucketsSchema {
            guard let n = reader.readVarbitUInt(), n <= maximumEntries else { return nil }
            for _ in 0..<n {
                guard let short = reader.readBit() else { return nil }
                if short {
                    // The one-bit just read opens the varbit prefix: read the rest of it.
                    guard let rest = readVarbitUIntAfterFirstOne(from: &reader), rest >= 1 else { return nil }
                    custom.append(Double(rest - 1) / 1000)
                } else {
                    guard let bits = reader.readBits(64) else { return nil }
                    custom.append(Double(bitPattern: bits))
                }
            }
        }
        return HistogramChunkLayout(schema: schema, zeroThreshold: threshold, positiveSpans: positive, negativeSpans: negative, customValues: custom)
    }

    private static func readVarbitUIntAfterFirstOne(from reader: inout ChunkBitReader) -> UInt64? {
        var ones = 1
        while ones < 8 {
            guard let bit = reader.readBit() else { return nil }
            if !bit { break }
            ones += 1
        }
        return reader.readBits(BitWriter.varbitWidths[ones])
    }

    static func readZeroThreshold(from reader: inout ChunkBitReader) -> Double? {
        guard let byte = reader.readBits(8) else { return nil }
        switch byte {
        case 0: return 0
        case 255: return reader.readBits(64).map { Double(bitPattern: $0) }
        default: return Foundation.scalbn(1.0, Int(byte) - 244)
        }
    }

    private static func readSpans(from reader: inout ChunkBitReader) -> [HistogramSpan]? {
        guard let n = reader.readVarbitUInt(), n <= maximumEntries else { return nil }
        var spans: [HistogramSpan] = []
        spans.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let length = reader.readVarbitUInt(), let l = UInt32(exactly: length),
                  let offset = reader.readVarbitInt(), let o = Int32(exactly: offset) else { return nil }
            spans.append(HistogramSpan(offset: o, length: l))
        }
        return spans
    }
}
