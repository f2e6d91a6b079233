import MetricModel

/// Remote write's `Histogram` message, which 1.0 and 2.0 define with the same fields: a native
/// histogram with integer counts (the count's oneof holds `count_int`: bucket deltas) or float
/// counts (`count_float`: absolute bucket counts), as Prometheus tells them apart.
///
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
    /// The sample's value (its time is the message's `timestamp`). Hint numbers: 0 unknown,
    /// 1 a reset, 2 no reset, 3 a gauge; anything else is taken as unknown.
    var histogramValue: HistogramValue {
        HistogramValue(HistogramValue.WireFields(
            floatCounts: hasFloatCounts, counterResetHint: HistogramCounterResetHint(rawValue: UInt8(clamping: resetHintNumber)) ?? .unknown,
            schema: schema, zeroThreshold: zeroThreshold, sum: sum, countInt: countInt, countFloat: countFloat,
            zeroCountInt: zeroCountInt, zeroCountFloat: zeroCountFloat,
            positiveSpans: positiveBucketSpans, positiveDeltas: positiveDeltas, positiveCounts: positiveCounts,
            negativeSpans: negativeBucketSpans, negativeDeltas: negativeDeltas, negativeCounts: negativeCounts, customValues: customValues))
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
