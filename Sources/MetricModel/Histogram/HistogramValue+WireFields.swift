extension HistogramValue {
    /// A native histogram as the wire formats carry it — remote write's `Histogram` message and the
    /// scrape protobuf's `Histogram` — in plain values: both hold integer counts (bucket deltas) and
    /// float counts (absolute bucket counts) side by side, and the sender picks one.
    package struct WireFields: Sendable {
        /// Whether the float counts are the ones that hold the histogram.
        package var floatCounts: Bool
        package var counterResetHint: HistogramCounterResetHint
        package var schema: Int32
        package var zeroThreshold: Double
        package var sum: Double
        package var countInt: UInt64
        package var countFloat: Double
        package var zeroCountInt: UInt64
        package var zeroCountFloat: Double
        package var positiveSpans: [HistogramSpan]
        package var positiveDeltas: [Int64]
        package var positiveCounts: [Double]
        package var negativeSpans: [HistogramSpan]
        package var negativeDeltas: [Int64]
        package var negativeCounts: [Double]
        /// The bucket bounds of a custom-bucket histogram (schema -53); empty otherwise.
        package var customValues: [Double]

        package init(floatCounts: Bool, counterResetHint: HistogramCounterResetHint, schema: Int32, zeroThreshold: Double, sum: Double,
                     countInt: UInt64, countFloat: Double, zeroCountInt: UInt64, zeroCountFloat: Double,
                     positiveSpans: [HistogramSpan], positiveDeltas: [Int64], positiveCounts: [Double],
                     negativeSpans: [HistogramSpan], negativeDeltas: [Int64], negativeCounts: [Double], customValues: [Double] = []) {
            self.floatCounts = floatCounts
            self.counterResetHint = counterResetHint
            self.schema = schema
            self.zeroThreshold = zeroThreshold
            self.sum = sum
            self.countInt = countInt
            self.countFloat = countFloat
            self.zeroCountInt = zeroCountInt
            self.zeroCountFloat = zeroCountFloat
            self.positiveSpans = positiveSpans
            self.positiveDeltas = positiveDeltas
            self.positiveCounts = positiveCounts
            self.negativeSpans = negativeSpans
            self.negativeDeltas = negativeDeltas
            self.negativeCounts = negativeCounts
            self.customValues = customValues
        }
    }

    /// The histogram the wire fields describe, with the kind of counts the sender picked.
    package init(_ f: WireFields) {
        if f.floatCounts {
            self = .float(FloatHistogram(counterResetHint: f.counterResetHint, schema: f.schema, zeroThreshold: f.zeroThreshold,
                                         zeroCount: f.zeroCountFloat, count: f.countFloat, sum: f.sum,
                                         positiveSpans: f.positiveSpans, positiveBuckets: f.positiveCounts,
                                         negativeSpans: f.negativeSpans, negativeBuckets: f.negativeCounts, customValues: f.customValues))
        } else {
            self = .integer(NativeHistogram(counterResetHint: f.counterResetHint, schema: f.schema, zeroThreshold: f.zeroThreshold,
                                            zeroCount: f.zeroCountInt, count: f.countInt, sum: f.sum,
                                            positiveSpans: f.positiveSpans, positiveDeltas: f.positiveDeltas,
                                            negativeSpans: f.negativeSpans, negativeDeltas: f.negativeDeltas, customValues: f.customValues))
        }
    }

    /// The histogram as wire fields: the kind of counts it holds, the other kind left zero.
    package var wireFields: WireFields {
        switch self {
        case .integer(let h):
            return WireFields(floatCounts: false, counterResetHint: h.counterResetHint, schema: h.schema, zeroThreshold: h.zeroThreshold,
                              sum: h.sum, countInt: h.count, countFloat: 0, zeroCountInt: h.zeroCount, zeroCountFloat: 0,
                              positiveSpans: h.positiveSpans, positiveDeltas: h.positiveDeltas, positiveCounts: [],
                              negativeSpans: h.negativeSpans, negativeDeltas: h.negativeDeltas, negativeCounts: [], customValues: h.customValues)
        case .float(let h):
            return WireFields(floatCounts: true, counterResetHint: h.counterResetHint, schema: h.schema, zeroThreshold: h.zeroThreshold,
                              sum: h.sum, countInt: 0, countFloat: h.count, zeroCountInt: 0, zeroCountFloat: h.zeroCount,
                              positiveSpans: h.positiveSpans, positiveDeltas: [], positiveCounts: h.positiveBuckets,
                              negativeSpans: h.negativeSpans, negativeDeltas: [], negativeCounts: h.negativeBuckets, customValues: h.customValues)
        }
    }
}
