import MetricModel

/// Remote write's `Histogram` message, which 1.0 and 2.0 define with the same fields: a native
/// histogram with integer counts (the count's oneof holds `count_int`: bucket deltas) or float
/// counts (`count_float`: absolute bucket counts), as Prometheus tells them apart.
enum RemoteWriteHistogram {
    /// The fields both generated messages share, in plain values.
    struct Fields {
        var floatCounts: Bool
        var countInt: UInt64
        var countFloat: Double
        var sum: Double
        var schema: Int32
        var zeroThreshold: Double
        var zeroCountInt: UInt64
        var zeroCountFloat: Double
        var negativeSpans: [HistogramSpan]
        var negativeDeltas: [Int64]
        var negativeCounts: [Double]
        var positiveSpans: [HistogramSpan]
        var positiveDeltas: [Int64]
        var positiveCounts: [Double]
        /// 0 unknown, 1 a reset, 2 no reset, 3 a gauge; anything else is taken as unknown.
        var resetHint: Int
        var customValues: [Double]
    }

    static func value(_ f: Fields) -> HistogramValue {
        let hint: HistogramCounterResetHint
        switch f.resetHint {
        case 1: hint = .counterReset
        case 2: hint = .notCounterReset
        case 3: hint = .gauge
        default: hint = .unknown
        }
        if f.floatCounts {
            return .float(FloatHistogram(counterResetHint: hint, schema: f.schema, zeroThreshold: f.zeroThreshold, zeroCount: f.zeroCountFloat,
                                         count: f.countFloat, sum: f.sum, positiveSpans: f.positiveSpans, positiveBuckets: f.positiveCounts,
                                         negativeSpans: f.negativeSpans, negativeBuckets: f.negativeCounts, customValues: f.customValues))
        }
        return .integer(NativeHistogram(counterResetHint: hint, schema: f.schema, zeroThreshold: f.zeroThreshold, zeroCount: f.zeroCountInt,
                                        count: f.countInt, sum: f.sum, positiveSpans: f.positiveSpans, positiveDeltas: f.positiveDeltas,
                                        negativeSpans: f.negativeSpans, negativeDeltas: f.negativeDeltas, customValues: f.customValues))
    }
}

extension Vigil_Remotewrite_V1_Histogram {
    /// The sample's value (its time is ``timestamp``).
    var histogramValue: HistogramValue {
        var floatCounts = false
        if case .countFloat = count { floatCounts = true }
        return RemoteWriteHistogram.value(RemoteWriteHistogram.Fields(
            floatCounts: floatCounts, countInt: countInt, countFloat: countFloat, sum: sum, schema: schema, zeroThreshold: zeroThreshold,
            zeroCountInt: zeroCountInt, zeroCountFloat: zeroCountFloat,
            negativeSpans: negativeSpans.map { HistogramSpan(offset: $0.offset, length: $0.length) }, negativeDeltas: negativeDeltas, negativeCounts: negativeCounts,
            positiveSpans: positiveSpans.map { HistogramSpan(offset: $0.offset, length: $0.length) }, positiveDeltas: positiveDeltas, positiveCounts: positiveCounts,
            resetHint: resetHint.rawValue, customValues: customValues))
    }
}

extension Vigil_Remotewrite_V2_Histogram {
    /// The sample's value (its time is ``timestamp``).
    var histogramValue: HistogramValue {
        var floatCounts = false
        if case .countFloat = count { floatCounts = true }
        return RemoteWriteHistogram.value(RemoteWriteHistogram.Fields(
            floatCounts: floatCounts, countInt: countInt, countFloat: countFloat, sum: sum, schema: schema, zeroThreshold: zeroThreshold,
            zeroCountInt: zeroCountInt, zeroCountFloat: zeroCountFloat,
            negativeSpans: negativeSpans.map { HistogramSpan(offset: $0.offset, length: $0.length) }, negativeDeltas: negativeDeltas, negativeCounts: negativeCounts,
            positiveSpans: positiveSpans.map { HistogramSpan(offset: $0.offset, length: $0.length) }, positiveDeltas: positiveDeltas, positiveCounts: positiveCounts,
            resetHint: resetHint.rawValue, customValues: customValues))
    }
}
