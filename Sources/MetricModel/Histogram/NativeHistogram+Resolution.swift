import Foundation

/// Lowering a native histogram's resolution: every bucket of schema `s` lies inside exactly one
/// bucket of any coarser schema `s - d` (bucket `i` inside bucket `ceil(i / 2^d)`), so merging
/// adds counts and loses no observation. Scrapes use it to keep histograms within
/// `native_histogram_bucket_limit` and `native_histogram_min_bucket_factor`; queries to bring
/// histograms of different schemas to a common one.
public enum HistogramResolution {
    /// The bucket of a schema `drop` steps coarser that holds bucket `index`.
    public static func coarserIndex(_ index: Int32, drop: Int32) -> Int32 {
        // ceil(i / 2^d) as an arithmetic shift of i - 1, in 64 bits so Int32.min cannot overflow.
        Int32(truncatingIfNeeded: ((Int64(index) - 1) >> Int64(drop)) + 1)
    }

    /// Buckets `indices` (ascending) with `counts` merged `drop` schemas coarser: the new spans and
    /// counts, buckets listed where any merged bucket was listed.
    static func merge<C: AdditiveArithmetic>(indices: [Int32], counts: [C], drop: Int32) -> (spans: [HistogramSpan], counts: [C]) {
        var mergedIndices: [Int32] = []
        var merged: [C] = []
        for (index, count) in zip(indices, counts) {
            let target = coarserIndex(index, drop: drop)
            if mergedIndices.last == target {
                merged[merged.count - 1] += count
            } else {
                mergedIndices.append(target)
                merged.append(count)
            }
        }
        return (.covering(mergedIndices), merged)
    }

    /// The highest exponential schema whose neighbouring bounds grow by at least `factor`
    /// (2^(2^-schema) >= factor): 8 for factors up to 1.0027, 0 for 2, -4 for 65,536 and above.
    public static func highestSchema(forMinimumGrowthFactor factor: Double) -> Int32 {
        let schemas = NativeHistogram.exponentialSchemas
        // No factor above 1 (NaN included): no limit; an infinite one: the coarsest schema.
        guard factor > 1 else { return schemas.upperBound }
        guard factor.isFinite else { return schemas.lowerBound }
        let exact = (-log2(log2(factor))).rounded(.down)
        let clamped = max(Double(schemas.lowerBound), min(Double(schemas.upperBound), exact))
        return Int32(exactly: clamped) ?? schemas.upperBound
    }
}

extension NativeHistogram {
    /// The same observations at schema `target`, coarser than ``schema``; unchanged when `target`
    /// is not coarser, the buckets are custom (their bounds are not a schema's) or of a schema
    /// outside -4...8, or when the spans do not match the buckets.
    public func reduced(toSchema target: Int32) -> NativeHistogram {
        // Counts first: a hostile span may claim billions of buckets, which are never listed.
        guard Self.exponentialSchemas.contains(schema), target < schema, target >= Self.exponentialSchemas.lowerBound,
              positiveSpans.bucketCount == positiveDeltas.count, negativeSpans.bucketCount == negativeDeltas.count,
              let p = positiveSpans.bucketIndices, let n = negativeSpans.bucketIndices else { return self }
        var out = self
        let positive = HistogramResolution.merge(indices: p, counts: Self.absoluteCounts(positiveDeltas), drop: schema - target)
        let negative = HistogramResolution.merge(indices: n, counts: Self.absoluteCounts(negativeDeltas), drop: schema - target)
        out.schema = target
        out.positiveSpans = positive.spans
        out.positiveDeltas = Self.deltas(positive.counts)
        out.negativeSpans = negative.spans
        out.negativeDeltas = Self.deltas(negative.counts)
        return out
    }

    /// Within `limit` buckets on both sides together: the resolution lowered one schema at a time
    /// until it fits, as a scrape's `native_histogram_bucket_limit` asks; nil when even the
    /// coarsest schema holds more (the scrape then fails, as Prometheus' does). A limit of 0
    /// means none.
    public func limited(toBuckets limit: Int) -> NativeHistogram? {
        guard limit > 0 else { return self }
        var h = self
        while h.positiveDeltas.count + h.negativeDeltas.count > limit {
            // Custom buckets and schemas no one defines cannot be merged.
            guard Self.exponentialSchemas.contains(h.schema), h.schema > Self.exponentialSchemas.lowerBound else { return nil }
            let coarser = h.reduced(toSchema: h.schema - 1)
            // Spans that do not match the buckets are not merged: no resolution makes it fit.
            guard coarser.schema < h.schema else { return nil }
            h = coarser
        }
        return h
    }

    /// At a resolution whose bucket bounds grow by at least `factor` from one to the next, as a
    /// scrape's `native_histogram_min_bucket_factor` asks (0 or 1: no limit).
    public func limited(toMinimumGrowthFactor factor: Double) -> NativeHistogram {
        guard factor > 1 else { return self }
        return reduced(toSchema: HistogramResolution.highestSchema(forMinimumGrowthFactor: factor))
    }
}

extension FloatHistogram {
    /// The same observations at schema `target`, coarser than ``schema`` (see
    /// ``NativeHistogram/reduced(toSchema:)``).
    public func reduced(toSchema target: Int32) -> FloatHistogram {
        guard NativeHistogram.exponentialSchemas.contains(schema), target < schema, target >= NativeHistogram.exponentialSchemas.lowerBound,
              positiveSpans.bucketCount == positiveBuckets.count, negativeSpans.bucketCount == negativeBuckets.count,
              let p = positiveSpans.bucketIndices, let n = negativeSpans.bucketIndices else { return self }
        var out = self
        (out.positiveSpans, out.positiveBuckets) = HistogramResolution.merge(indices: p, counts: positiveBuckets, drop: schema - target)
        (out.negativeSpans, out.negativeBuckets) = HistogramResolution.merge(indices: n, counts: negativeBuckets, drop: schema - target)
        out.schema = target
        return out
    }
}
