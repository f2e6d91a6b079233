import MetricModel

/// The payload of a histogram samples record: the sample count, then per sample its reference,
/// timestamp (zigzag varints), a kind byte (0 integer counts, 1 float counts) and the histogram:
/// counter-reset hint, schema, zero threshold and sum (float bits), zero count and count
/// (uvarints, or float bits for float counts), the positive spans (count, then offset and length
/// each) and buckets (count, then deltas as zigzag varints, or float bits), the same for the
/// negative side, and the custom bucket bounds (count, float bits each).
extension WALRecord {
    static let integerHistogram: UInt8 = 0
    static let floatHistogram: UInt8 = 1

    static func encode(_ samples: [RefHistogramSample], into w: inout ByteWriter) {
        w.uvarint(UInt64(samples.count))
        for s in samples {
            w.uvarint(s.ref)
            w.varint(s.t)
            switch s.value {
            case .integer(let h):
                w.bytes.append(integerHistogram)
                writeCommon(hint: h.counterResetHint, schema: h.schema, zeroThreshold: h.zeroThreshold, sum: h.sum, into: &w)
                w.uvarint(h.zeroCount)
                w.uvarint(h.count)
                writeSpans(h.positiveSpans, into: &w)
                w.uvarint(UInt64(h.positiveDeltas.count))
                for d in h.positiveDeltas { w.varint(d) }
                writeSpans(h.negativeSpans, into: &w)
                w.uvarint(UInt64(h.negativeDeltas.count))
                for d in h.negativeDeltas { w.varint(d) }
                writeFloats(h.customValues, into: &w)
            case .float(let h):
                w.bytes.append(floatHistogram)
                writeCommon(hint: h.counterResetHint, schema: h.schema, zeroThreshold: h.zeroThreshold, sum: h.sum, into: &w)
                w.u64(h.zeroCount.bitPattern)
                w.u64(h.count.bitPattern)
                writeSpans(h.positiveSpans, into: &w)
                writeFloats(h.positiveBuckets, into: &w)
                writeSpans(h.negativeSpans, into: &w)
                writeFloats(h.negativeBuckets, into: &w)
                writeFloats(h.customValues, into: &w)
            }
        }
    }

    private static func writeCommon(hint: HistogramCounterResetHint, schema: Int32, zeroThreshold: Double, sum: Double, into w: inout ByteWriter) {
        w.bytes.append(hint.rawValue)
        w.varint(Int64(schema))
        w.u64(zeroThreshold.bitPattern)
        w.u64(sum.bitPattern)
    }

    private static func writeSpans(_ spans: [HistogramSpan], into w: inout ByteWriter) {
        w.uvarint(UInt64(spans.count))
        for span in spans {
            w.varint(Int64(span.offset))
            w.uvarint(UInt64(span.length))
        }
    }

    private static func writeFloats(_ values: [Double], into w: inout ByteWriter) {
        w.uvarint(UInt64(values.count))
        for v in values { w.u64(v.bitPattern) }
    }

    /// Decodes a histogram samples payload; nil when it is malformed. Every count is checked
    /// against the bytes left before anything is reserved, so a damaged count cannot make the
    /// reader allocate beyond the record's size.
    static func decodeHistograms(_ r: inout ByteReader, payloadBytes: Int) -> [RefHistogramSample]? {
        guard let n = r.uvarint(), n <= UInt64(payloadBytes) else { return nil }
        var out: [RefHistogramSample] = []
        out.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let ref = r.uvarint(), let t = r.varint(), let kind = r.u8(),
                  let hintByte = r.u8(), let hint = HistogramCounterResetHint(rawValue: hintByte),
                  let schema64 = r.varint(), let schema = Int32(exactly: schema64),
                  let zeroThreshold = r.u64(), let sum = r.u64() else { return nil }
            switch kind {
            case integerHistogram:
                guard let zeroCount = r.uvarint(), let count = r.uvarint(),
                      let positiveSpans = readSpans(&r, payloadBytes: payloadBytes), let positive = readVarints(&r, payloadBytes: payloadBytes),
                      let negativeSpans = readSpans(&r, payloadBytes: payloadBytes), let negative = readVarints(&r, payloadBytes: payloadBytes),
                      let customValues = readFloats(&r, payloadBytes: payloadBytes) else { return nil }
                let h = NativeHistogram(counterResetHint: hint, schema: schema, zeroThreshold: Double(bitPattern: zeroThreshold), zeroCount: zeroCount,
                                        count: count, sum: Double(bitPattern: sum), positiveSpans: positiveSpans, positiveDeltas: positive,
                                        negativeSpans: negativeSpans, negativeDeltas: negative, customValues: customValues)
                out.append(RefHistogramSample(ref: ref, t: t, value: .integer(h)))
            case floatHistogram:
                guard let zeroCount = r.u64(), let count = r.u64(),
                      let positiveSpans = readSpans(&r, payloadBytes: payloadBytes), let positive = readFloats(&r, payloadBytes: payloadBytes),
                      let negativeSpans = readSpans(&r, payloadBytes: payloadBytes), let negative = readFloats(&r, payloadBytes: payloadBytes),
                      let customValues = readFloats(&r, payloadBytes: payloadBytes) else { return nil }
                let h = FloatHistogram(counterResetHint: hint, schema: schema, zeroThreshold: Double(bitPattern: zeroThreshold),
                                       zeroCount: Double(bitPattern: zeroCount), count: Double(bitPattern: count), sum: Double(bitPattern: sum),
                                       positiveSpans: positiveSpans, positiveBuckets: positive,
                                       negativeSpans: negativeSpans, negativeBuckets: negative, customValues: customValues)
                out.append(RefHistogramSample(ref: ref, t: t, value: .float(h)))
            default:
                return nil
            }
        }
        return out
    }

    private static func readSpans(_ r: inout ByteReader, payloadBytes: Int) -> [HistogramSpan]? {
        guard let n = r.uvarint(), n <= UInt64(payloadBytes) else { return nil }
        var spans: [HistogramSpan] = []
        spans.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let offset64 = r.varint(), let offset = Int32(exactly: offset64),
                  let length64 = r.uvarint(), let length = UInt32(exactly: length64) else { return nil }
            spans.append(HistogramSpan(offset: offset, length: length))
        }
        return spans
    }

    private static func readVarints(_ r: inout ByteReader, payloadBytes: Int) -> [Int64]? {
        guard let n = r.uvarint(), n <= UInt64(payloadBytes) else { return nil }
        var values: [Int64] = []
        values.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let v = r.varint() else { return nil }
            values.append(v)
        }
        return values
    }

    private static func readFloats(_ r: inout ByteReader, payloadBytes: Int) -> [Double]? {
        guard let n = r.uvarint(), n <= UInt64(payloadBytes / 8) else { return nil }
        var values: [Double] = []
        values.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let bits = r.u64() else { return nil }
            values.append(Double(bitPattern: bits))
        }
        return values
    }
}
