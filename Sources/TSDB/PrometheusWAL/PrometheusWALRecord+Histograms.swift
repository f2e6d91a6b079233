import MetricModel

/// Prometheus' WAL records of native histogram samples: integer histograms (type 7), float
/// histograms (8), and their custom-bucket forms (9 and 10, which add the bounds). Like float
/// samples, a record holds its first sample's reference and time, each sample deltas from them.
///
/// A histogram is written field by field: the counter reset hint (one byte), the schema (varint),
/// the zero threshold (8 bytes, big-endian float), the zero count and the count (unsigned varints,
/// or 8-byte floats for float histograms), the sum (8-byte float), the positive and the negative
/// spans (a count, then each span's offset as a varint and length as an unsigned varint), the
/// positive and the negative buckets (a count, then deltas as varints, or absolute counts as
/// 8-byte floats), and for custom buckets their bounds (a count, then 8-byte floats).
extension PrometheusWALRecord {
    /// The record types of histogram samples, and whether each holds float counts.
    static let histogramTypes: [UInt8: Bool] = [7: false, 8: true, 9: false, 10: true]

    /// Decodes the samples of a histogram record (the type byte already read); nil when damaged.
    static func histogramSamples(_ r: inout MappedReader, floatCounts: Bool) -> [(ref: UInt64, t: Int64, value: HistogramValue)]? {
        guard r.remaining > 0 else { return [] }
        guard let firstRef = r.u64BE(), let firstT = r.u64BE() else { return nil }
        var samples: [(ref: UInt64, t: Int64, value: HistogramValue)] = []
        while r.remaining > 0 {
            guard let dRef = r.varint(), let dT = r.varint(), let value = histogram(&r, floatCounts: floatCounts) else { return nil }
            samples.append((firstRef &+ UInt64(bitPattern: dRef), Int64(bitPattern: firstT) &+ dT, value))
        }
        return samples
    }

    /// One histogram's fields.
    private static func histogram(_ r: inout MappedReader, floatCounts: Bool) -> HistogramValue? {
        guard let hintByte = r.u8(), let schemaValue = r.varint(), let schema = Int32(exactly: schemaValue),
              let threshold = r.u64BE().map(Double.init(bitPattern:)) else { return nil }
        let hint = HistogramCounterResetHint(rawValue: hintByte) ?? .unknown
        var zeroCountInt: UInt64 = 0, countInt: UInt64 = 0, zeroCountFloat = 0.0, countFloat = 0.0
        if floatCounts {
            guard let z = r.u64BE(), let c = r.u64BE() else { return nil }
            (zeroCountFloat, countFloat) = (Double(bitPattern: z), Double(bitPattern: c))
        } else {
            guard let z = r.uvarint(), let c = r.uvarint() else { return nil }
            (zeroCountInt, countInt) = (z, c)
        }
        guard let sumBits = r.u64BE(), let positiveSpans = spans(&r), let negativeSpans = spans(&r) else { return nil }
        var positiveDeltas: [Int64] = [], negativeDeltas: [Int64] = [], positiveCounts: [Double] = [], negativeCounts: [Double] = []
        if floatCounts {
            guard let p = floats(&r), let n = floats(&r) else { return nil }
            (positiveCounts, negativeCounts) = (p, n)
        } else {
            guard let p = deltas(&r), let n = deltas(&r) else { return nil }
            (positiveDeltas, negativeDeltas) = (p, n)
        }
        var customValues: [Double] = []
        if schema == NativeHistogram.customBucketsSchema {
            guard let bounds = floats(&r) else { return nil }
            customValues = bounds
        }
        return HistogramValue(HistogramValue.WireFields(
            floatCounts: floatCounts, counterResetHint: hint, schema: schema, zeroThreshold: threshold, sum: Double(bitPattern: sumBits),
            countInt: countInt, countFloat: countFloat, zeroCountInt: zeroCountInt, zeroCountFloat: zeroCountFloat,
            positiveSpans: positiveSpans, positiveDeltas: positiveDeltas, positiveCounts: positiveCounts,
            negativeSpans: negativeSpans, negativeDeltas: negativeDeltas, negativeCounts: negativeCounts, customValues: customValues))
    }

    /// A count, then that many items; the count is checked against the bytes left (every item
    /// takes at least `minimumSize`), so a damaged count allocates nothing.
    private static func list<T>(_ r: inout MappedReader, minimumSize: Int, _ item: (inout MappedReader) -> T?) -> [T]? {
        guard let n = r.uvarint(), n <= UInt64(r.remaining / minimumSize) else { return nil }
        var out: [T] = []
        out.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let x = item(&r) else { return nil }
            out.append(x)
        }
        return out
    }

    private static func spans(_ r: inout MappedReader) -> [HistogramSpan]? {
        list(&r, minimumSize: 2) { r in
            guard let offset = r.varint().flatMap({ Int32(exactly: $0) }), let length = r.uvarint().flatMap({ UInt32(exactly: $0) }) else { return nil }
            return HistogramSpan(offset: offset, length: length)
        }
    }

    private static func deltas(_ r: inout MappedReader) -> [Int64]? { list(&r, minimumSize: 1) { $0.varint() } }

    private static func floats(_ r: inout MappedReader) -> [Double]? { list(&r, minimumSize: 8) { $0.u64BE().map(Double.init(bitPattern:)) } }
}
