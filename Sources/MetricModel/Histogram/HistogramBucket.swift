import Foundation

/// One bucket of a native histogram with its bounds: positive buckets hold (lower, upper],
/// negative ones [lower, upper), the zero bucket [-threshold, threshold].
public struct HistogramBucket<Count: Sendable & Hashable>: Sendable, Hashable {
    public var lower: Double
    public var upper: Double
    public var lowerInclusive: Bool
    public var upperInclusive: Bool
    public var count: Count

    /// As Prometheus writes a bucket in text (`(0.5,1]:3`), bounds in Go's `%g`.
    public func text(count countText: String) -> String {
        (lowerInclusive ? "[" : "(") + GoFloat.general(lower) + "," + GoFloat.general(upper) + (upperInclusive ? "]" : ")") + ":" + countText
    }
}

/// Where the buckets of a schema lie.
public enum HistogramBounds {
    /// The upper bound of positive bucket `index`: 2^(index / 2^schema) for exponential schemas
    /// (exact powers of two where the schema is 0 or below), the custom bound for custom buckets
    /// (+Inf past the last).
    public static func upper(index: Int32, schema: Int32, customValues: [Double] = []) -> Double {
        if schema == NativeHistogram.customBucketsSchema {
            guard index >= 0 else { return -.infinity }
            return Int(index) < customValues.count ? customValues[Int(index)] : .infinity
        }
        if schema <= 0 {
            // index << -schema, clamped: beyond ±1100 the power is 0 or infinity anyway (and a
            // hostile schema far below -4 cannot overflow the shift or the negation).
            let exponent = max(-1100, min(1100, Int(index) << min(-Int(schema), 16)))
            return Foundation.scalbn(1.0, exponent)
        }
        let perPower = Int32(1) << schema
        let whole = index >> schema
        let fraction = index & (perPower - 1)
        return Foundation.scalbn(Foundation.exp2(Double(fraction) / Double(perPower)), Int(whole))
    }

    /// The lower bound of positive bucket `index` (the upper bound of the bucket below it).
    public static func lower(index: Int32, schema: Int32, customValues: [Double] = []) -> Double {
        if schema == NativeHistogram.customBucketsSchema && index == 0 { return -.infinity }
        return index == Int32.min ? 0 : upper(index: index - 1, schema: schema, customValues: customValues)
    }

    /// The populated buckets of one layout, ascending: negative buckets (most negative first), the
    /// zero bucket, positive buckets. `zero` is nil for an empty zero bucket.
    package static func buckets<C>(schema: Int32, zeroThreshold: Double, customValues: [Double], zero: C?,
                           positive: [(Int32, C)], negative: [(Int32, C)]) -> [HistogramBucket<C>] {
        var out: [HistogramBucket<C>] = []
        // A bucket the zero bucket's edge cuts into starts (or ends) at that edge, as Prometheus
        // reports it: (0.01, 0.011] rather than (0.0078, 0.011] beside a zero threshold of 0.01.
        let custom = schema == NativeHistogram.customBucketsSchema
        func clampedLower(_ index: Int32) -> Double {
            let l = lower(index: index, schema: schema, customValues: customValues)
            return !custom && l < zeroThreshold && zeroThreshold < upper(index: index, schema: schema, customValues: customValues) ? zeroThreshold : l
        }
        for (index, count) in negative.reversed() {
            out.append(HistogramBucket(lower: -upper(index: index, schema: schema, customValues: customValues), upper: -clampedLower(index),
                                       lowerInclusive: true, upperInclusive: false, count: count))
        }
        if let zero {
            out.append(HistogramBucket(lower: -zeroThreshold, upper: zeroThreshold, lowerInclusive: true, upperInclusive: true, count: zero))
        }
        for (index, count) in positive {
            out.append(HistogramBucket(lower: clampedLower(index), upper: upper(index: index, schema: schema, customValues: customValues),
                                       lowerInclusive: false, upperInclusive: true, count: count))
        }
        return out
    }
}

extension NativeHistogram: CustomStringConvertible {
    /// The buckets with a count, ascending (see ``HistogramBounds``); empty when the spans do not
    /// match the buckets.
    public var populatedBuckets: [HistogramBucket<UInt64>] {
        guard let p = positiveSpans.bucketIndices, let n = negativeSpans.bucketIndices,
              p.count == positiveDeltas.count, n.count == negativeDeltas.count else { return [] }
        func populated(_ indices: [Int32], _ deltas: [Int64]) -> [(Int32, UInt64)] {
            zip(indices, Self.absoluteCounts(deltas)).compactMap { $1 > 0 ? ($0, UInt64($1)) : nil }
        }
        return HistogramBounds.buckets(schema: schema, zeroThreshold: zeroThreshold, customValues: customValues, zero: zeroCount > 0 ? zeroCount : nil,
                                       positive: populated(p, positiveDeltas), negative: populated(n, negativeDeltas))
    }

    /// As Prometheus prints a histogram: `{count:5, sum:7.5, [-2,-1):1, (1,2]:4}`.
    public var description: String {
        "{count:\(count), sum:\(GoFloat.general(sum))" + populatedBuckets.map { ", " + $0.text(count: String($0.count)) }.joined() + "}"
    }
}

extension FloatHistogram: CustomStringConvertible {
    /// The buckets with a nonzero count, ascending.
    public var populatedBuckets: [HistogramBucket<Double>] {
        guard let p = positiveSpans.bucketIndices, let n = negativeSpans.bucketIndices,
              p.count == positiveBuckets.count, n.count == negativeBuckets.count else { return [] }
        func populated(_ indices: [Int32], _ counts: [Double]) -> [(Int32, Double)] {
            zip(indices, counts).compactMap { $1 != 0 ? ($0, $1) : nil }
        }
        return HistogramBounds.buckets(schema: schema, zeroThreshold: zeroThreshold, customValues: customValues, zero: zeroCount != 0 ? zeroCount : nil,
                                       positive: populated(p, positiveBuckets), negative: populated(n, negativeBuckets))
    }

    /// As Prometheus prints a float histogram: `{count:2.5, sum:7.5, (1,2]:2.5}`.
    public var description: String {
        "{count:\(GoFloat.general(count)), sum:\(GoFloat.general(sum))"
            + populatedBuckets.map { ", " + $0.text(count: GoFloat.general($0.count)) }.joined() + "}"
    }
}
