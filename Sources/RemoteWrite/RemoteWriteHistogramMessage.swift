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

/// What the 1.0 and 2.0 `Histogram` messages share by name and type; each adds its spans, hint and
/// count kind, and both then read the same way.
protocol RemoteWriteHistogramMessage {
    var countInt: UInt64 { get }
    var countFloat: Double { get }
    var sum: Double { get }
    var schema: Int32 { get }
    var zeroThreshold: Double { get }
    var zeroCountInt: UInt64 { get }
    var zeroCountFloat: Double { get }
    var negativeDeltas: [Int64] { get }
    var negativeCounts: [Double] { get }
    var positiveDeltas: [Int64] { get }
    var positiveCounts: [Double] { get }
    var customValues: [Double] { get }
    /// Whether the count's oneof holds `count_float`.
    var hasFloatCounts: Bool { get }
    var positiveBucketSpans: [HistogramSpan] { get }
    var negativeBucketSpans: [HistogramSpan] { get }
    var resetHintNumber: Int { get }
}

extension RemoteWriteHistogramMessage {
    /// The sample's value (its time is the message's `timestamp`).
    var histogramValue: HistogramValue {
        RemoteWriteHistogram.value(RemoteWriteHistogram.Fields(
            floatCounts: hasFloatCounts, countInt: countInt, countFloat: countFloat, sum: sum, schema: schema, zeroThreshold: zeroThreshold,
            zeroCountInt: zeroCountInt, zeroCountFloat: zeroCountFloat,
            negativeSpans: negativeBucketSpans, negativeDeltas: negativeDeltas, negativeCounts: negativeCounts,
            positiveSpans: positiveBucketSpans, positiveDeltas: positiveDeltas, positiveCounts: positiveCounts,
            resetHint: resetHintNumber, customValues: customValues))
    }
}

extension Vigil_Remotewrite_V1_Histogram: RemoteWriteHistogramMessage {
    var hasFloatCounts: Bool { if case .countFloat = count { return true } else { return false } }
    var positiveBucketSpans: [HistogramSpan] { positiveSpans.map { HistogramSpan(offset: $0.offset, length: $0.length) } }
    var negativeBucketSpans: [HistogramSpan] { negativeSpans.map { HistogramSpan(offset: $0.offset, length: $0.length) } }
    var resetHintNumber: Int { resetHint.rawValue }
}

extension Vigil_Remotewrite_V2_Histogram: RemoteWriteHistogramMessage {
    var hasFloatCounts: Bool { if case .countFloat = count { return true } else { return false } }
    var positiveBucketSpans: [HistogramSpan] { positiveSpans.map { HistogramSpan(offset: $0.offset, length: $0.length) } }
    var negativeBucketSpans: [HistogramSpan] { negativeSpans.map { HistogramSpan(offset: $0.offset, length: $0.length) } }
    var resetHintNumber: Int { resetHint.rawValue }
}
