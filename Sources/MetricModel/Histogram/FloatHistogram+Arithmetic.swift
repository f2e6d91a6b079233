/// Adding and subtracting float histograms, as `sum`, `+`, `-` and rates need: both are brought
/// to the coarser schema and the wider zero bucket, then added bucket by bucket.
extension FloatHistogram {
    /// This histogram with a zero bucket at least `threshold` wide: buckets below the new edge
    /// move into it, and where the edge cuts through a bucket the edge moves to that bucket's end
    /// (its observations cannot be split). Custom buckets have no zero bucket: unchanged.
    public func withZeroThreshold(atLeast threshold: Double) -> FloatHistogram {
        guard schema != NativeHistogram.customBucketsSchema, threshold > zeroThreshold,
              let p = positiveSpans.bucketIndices, let n = negativeSpans.bucketIndices,
              p.count == positiveBuckets.count, n.count == negativeBuckets.count else { return self }
        var out = self
        var edge = threshold
        // Buckets are ascending by magnitude on both sides; the edge may only grow, so one pass
        // per side until a bucket starts at or beyond it.
        var moved = true
        var keepPositive = 0, keepNegative = 0
        while moved {
            moved = false
            while keepPositive < p.count, HistogramBounds.lower(index: p[keepPositive], schema: schema) < edge {
                edge = max(edge, HistogramBounds.upper(index: p[keepPositive], schema: schema))
                out.zeroCount += positiveBuckets[keepPositive]
                keepPositive += 1
                moved = true
            }
            while keepNegative < n.count, HistogramBounds.lower(index: n[keepNegative], schema: schema) < edge {
                edge = max(edge, HistogramBounds.upper(index: n[keepNegative], schema: schema))
                out.zeroCount += negativeBuckets[keepNegative]
                keepNegative += 1
                moved = true
            }
        }
        out.zeroThreshold = edge
        out.positiveSpans = .covering(Array(p[keepPositive...]))
        out.positiveBuckets = Array(positiveBuckets[keepPositive...])
        out.negativeSpans = .covering(Array(n[keepNegative...]))
        out.negativeBuckets = Array(negativeBuckets[keepNegative...])
        return out
    }

    /// The sum of two histograms; nil when one has custom buckets and the other not. Custom
    /// buckets with different bounds are first merged onto the bounds both share, as Prometheus
    /// 3.5 reconciles them (see ``hasOtherCustomBounds(than:)``). The result keeps this
    /// histogram's counter reset hint.
    public func adding(_ other: FloatHistogram) -> FloatHistogram? { combined(with: other, sign: 1) }

    /// The difference of two histograms (counts may come out negative); nil as for ``adding(_:)``.
    public func subtracting(_ other: FloatHistogram) -> FloatHistogram? { combined(with: other, sign: -1) }

    /// Every count multiplied by `factor` (the sum too).
    public func scaled(by factor: Double) -> FloatHistogram {
        var out = self
        out.count *= factor
        out.sum *= factor
        out.zeroCount *= factor
        out.positiveBuckets = positiveBuckets.map { $0 * factor }
        out.negativeBuckets = negativeBuckets.map { $0 * factor }
        return out
    }

    /// Whether both have custom buckets, with different bounds: adding, subtracting or comparing
    /// them first merges each one's buckets onto the bounds both share.
    public func hasOtherCustomBounds(than other: FloatHistogram) -> Bool {
        let custom = NativeHistogram.customBucketsSchema
        return schema == custom && other.schema == custom && customValues.map(\.bitPattern) != other.customValues.map(\.bitPattern)
    }

    /// The bounds two custom-bucket histograms share.
    public func sharedCustomBounds(with other: FloatHistogram) -> [Double] {
        let theirs = Set(other.customValues.map(\.bitPattern))
        return customValues.filter { theirs.contains($0.bitPattern) }
    }

    /// This custom-bucket histogram with its buckets merged onto `bounds` (some of its own
    /// bounds, ascending): each bucket's observations go to the first kept bound at or above its
    /// own upper bound, or to the +Inf bucket. Nil for exponential buckets or spans that do not
    /// match the buckets.
    public func mergingCustomBuckets(onto bounds: [Double]) -> FloatHistogram? {
        guard schema == NativeHistogram.customBucketsSchema, let indices = positiveSpans.bucketIndices,
              indices.count == positiveBuckets.count else { return nil }
        var counts = [Double](repeating: 0, count: bounds.count + 1)
        for (index, c) in zip(indices, positiveBuckets) {
            let upper = HistogramBounds.upper(index: index, schema: schema, customValues: customValues)
            var lo = 0, hi = bounds.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if bounds[mid] >= upper { hi = mid } else { lo = mid + 1 }
            }
            counts[lo] += c
        }
        var out = self
        out.customValues = bounds
        out.positiveSpans = [HistogramSpan(offset: 0, length: UInt32(counts.count))]
        out.positiveBuckets = counts
        return out
    }

    /// Both histograms on the bounds they share, when their custom bounds differ; as they are otherwise.
    public func reconciled(with other: FloatHistogram) -> (FloatHistogram, FloatHistogram)? {
        guard hasOtherCustomBounds(than: other) else { return (self, other) }
        let shared = sharedCustomBounds(with: other)
        guard let a = mergingCustomBuckets(onto: shared), let b = other.mergingCustomBuckets(onto: shared) else { return nil }
        return (a, b)
    }

    private func combined(with other: FloatHistogram, sign: Double) -> FloatHistogram? {
        let custom = NativeHistogram.customBucketsSchema
        guard (schema == custom) == (other.schema == custom) else { return nil }
        if hasOtherCustomBounds(than: other) {
            guard let (a, b) = reconciled(with: other) else { return nil }
            return a.combined(with: b, sign: sign)
        }
        let target = min(schema, other.schema)
        let threshold = max(zeroThreshold, other.zeroThreshold)
        var a = reduced(toSchema: target).withZeroThreshold(atLeast: threshold)
        var b = other.reduced(toSchema: target).withZeroThreshold(atLeast: threshold)
        // Absorbing can widen one side's edge past the other's: align once more.
        let edge = max(a.zeroThreshold, b.zeroThreshold)
        a = a.withZeroThreshold(atLeast: edge)
        b = b.withZeroThreshold(atLeast: edge)
        guard let positive = Self.merge(a.positiveSpans, a.positiveBuckets, b.positiveSpans, b.positiveBuckets, sign: sign),
              let negative = Self.merge(a.negativeSpans, a.negativeBuckets, b.negativeSpans, b.negativeBuckets, sign: sign) else { return nil }
        var out = a
        out.count = a.count + sign * b.count
        out.sum = a.sum + sign * b.sum
        out.zeroCount = a.zeroCount + sign * b.zeroCount
        out.zeroThreshold = max(a.zeroThreshold, b.zeroThreshold)
        (out.positiveSpans, out.positiveBuckets) = positive
        (out.negativeSpans, out.negativeBuckets) = negative
        return out
    }

    /// Bucket-wise `a + sign * b` over the union of both sides' buckets.
    private static func merge(_ aSpans: [HistogramSpan], _ aCounts: [Double], _ bSpans: [HistogramSpan], _ bCounts: [Double],
                              sign: Double) -> (spans: [HistogramSpan], counts: [Double])? {
        guard let ai = aSpans.bucketIndices, let bi = bSpans.bucketIndices, ai.count == aCounts.count, bi.count == bCounts.count else { return nil }
        var indices: [Int32] = [], counts: [Double] = []
        var x = 0, y = 0
        while x < ai.count || y < bi.count {
            if y == bi.count || (x < ai.count && ai[x] < bi[y]) {
                indices.append(ai[x]); counts.append(aCounts[x]); x += 1
            } else if x == ai.count || bi[y] < ai[x] {
                indices.append(bi[y]); counts.append(sign * bCounts[y]); y += 1
            } else {
                indices.append(ai[x]); counts.append(aCounts[x] + sign * bCounts[y]); x += 1; y += 1
            }
        }
        return (.covering(indices), counts)
    }
}
