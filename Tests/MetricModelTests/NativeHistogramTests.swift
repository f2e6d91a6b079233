import MetricModel
import Testing

@Suite struct NativeHistogramTests {
    /// Positive buckets at `indices` with `counts` (absolute), schema `schema`.
    static func histogram(schema: Int32, indices: [Int32], counts: [Int64], zeroThreshold: Double = 0, zeroCount: UInt64 = 0) -> NativeHistogram {
        NativeHistogram(schema: schema, zeroThreshold: zeroThreshold, zeroCount: zeroCount,
                        count: UInt64(counts.reduce(0, +)) + zeroCount, sum: 10,
                        positiveSpans: .covering(indices), positiveDeltas: NativeHistogram.deltas(counts))
    }

    @Test func lowerResolutionMergesEachBucketIntoTheCoarserOneHoldingIt() {
        let fine = Self.histogram(schema: 1, indices: [-1, 0, 1, 2, 3], counts: [1, 2, 3, 4, 5])
        let coarse = fine.reduced(toSchema: 0)
        #expect(coarse.schema == 0)
        #expect(coarse.positiveSpans.bucketIndices == [0, 1, 2])
        #expect(NativeHistogram.absoluteCounts(coarse.positiveDeltas) == [3, 7, 5])
        #expect(coarse.count == fine.count && coarse.inconsistency == nil)
        // Not coarser, or custom buckets: unchanged.
        #expect(fine.reduced(toSchema: 2) == fine)
        // Every fine bucket lies inside the coarse bucket it is merged into, for every drop.
        for schema in Int32(-3)...8 {
            for drop in Int32(1)...(schema + 4) {
                for index in [Int32(-300), -17, -1, 0, 1, 2, 7, 8, 9, 255, 1000] {
                    let target = HistogramResolution.coarserIndex(index, drop: drop)
                    let lower = HistogramBounds.lower(index: index, schema: schema), upper = HistogramBounds.upper(index: index, schema: schema)
                    #expect(HistogramBounds.lower(index: target, schema: schema - drop) <= lower * (1 + 1e-15))
                    #expect(upper <= HistogramBounds.upper(index: target, schema: schema - drop) * (1 + 1e-15))
                }
            }
        }
    }

    @Test func aBucketLimitLowersTheResolutionUntilTheHistogramFits() throws {
        let indices = Array(Int32(0)..<40)
        let wide = Self.histogram(schema: 3, indices: indices, counts: indices.map { Int64($0) + 1 })
        let fitted = try #require(wide.limited(toBuckets: 10))
        #expect(fitted.positiveDeltas.count <= 10)
        // Buckets 0...39 of schema 3 are 11 at schema 1 (bucket 0 stays alone: it ends at 1) and 6 at schema 0.
        #expect(fitted.schema == 0)
        #expect(fitted.positiveSpans.bucketIndices == [0, 1, 2, 3, 4, 5])
        #expect(NativeHistogram.absoluteCounts(fitted.positiveDeltas).reduce(0, +) == 820)
        #expect(wide.limited(toBuckets: 40) == wide)
        #expect(wide.limited(toBuckets: 0) == wide, "0 means no limit")
        // Buckets too far apart for even the coarsest schema: the histogram cannot fit.
        let spread = Self.histogram(schema: 0, indices: [0, 1000], counts: [1, 1])
        #expect(spread.limited(toBuckets: 1) == nil)
    }

    @Test(arguments: [(2.0, Int32(0)), (1.0905, 3), (1.1, 2), (1.0001, 8), (1, 8), (0, 8), (65536, -4), (1e9, -4), (4, -1),
                      (.infinity, -4), (-.infinity, 8), (.nan, 8)])
    func aMinimumGrowthFactorCapsTheSchema(factor: Double, schema: Int32) {
        #expect(HistogramResolution.highestSchema(forMinimumGrowthFactor: factor) == schema)
        let h = Self.histogram(schema: 8, indices: [0, 1, 300], counts: [1, 2, 3])
        #expect(h.limited(toMinimumGrowthFactor: factor).schema == schema)
    }

    @Test func countersResetWhenObservationsDisappear() {
        let before = Self.histogram(schema: 1, indices: [0, 1, 2], counts: [5, 5, 5], zeroThreshold: 0.001, zeroCount: 2)
        func after(_ change: (inout NativeHistogram) -> Void) -> NativeHistogram {
            var h = before
            change(&h)
            return h
        }
        #expect(!before.isCounterReset(after: before))
        // More in a bucket, or a new bucket: no reset.
        #expect(!Self.histogram(schema: 1, indices: [0, 1, 2, 5], counts: [5, 6, 5, 1], zeroThreshold: 0.001, zeroCount: 2).isCounterReset(after: before))
        // Fewer in all, in a bucket, in the zero bucket, or a populated bucket gone: a reset.
        #expect(Self.histogram(schema: 1, indices: [0, 1, 2], counts: [1, 1, 1], zeroThreshold: 0.001, zeroCount: 2).isCounterReset(after: before))
        #expect(Self.histogram(schema: 1, indices: [0, 1, 2], counts: [5, 4, 7], zeroThreshold: 0.001, zeroCount: 2).isCounterReset(after: before))
        #expect(Self.histogram(schema: 1, indices: [0, 1, 2], counts: [5, 5, 6], zeroThreshold: 0.001, zeroCount: 1).isCounterReset(after: before))
        #expect(Self.histogram(schema: 1, indices: [0, 2], counts: [5, 10], zeroThreshold: 0.001, zeroCount: 2).isCounterReset(after: before))
        // A finer schema is a reset; a coarser one with the same observations is not.
        #expect(after { $0.schema = 2 }.isCounterReset(after: before))
        #expect(!before.reduced(toSchema: 0).isCounterReset(after: before))
        // A narrower zero bucket is a reset; a wider one that swallows whole buckets is not, one
        // whose edge cuts through a populated bucket is.
        #expect(after { $0.zeroThreshold = 0.0001 }.isCounterReset(after: before))
        let low = Self.histogram(schema: 0, indices: [-3, 0], counts: [4, 5], zeroThreshold: 0.01, zeroCount: 1)
        #expect(!Self.histogram(schema: 0, indices: [0], counts: [5], zeroThreshold: 0.125, zeroCount: 5).isCounterReset(after: low))
        #expect(Self.histogram(schema: 0, indices: [0], counts: [5], zeroThreshold: 0.1, zeroCount: 5).isCounterReset(after: low))
        // The hint wins over the counts.
        #expect(!after { $0.count = 0; $0.counterResetHint = .notCounterReset }.isCounterReset(after: before))
        #expect(after { $0.counterResetHint = .counterReset }.isCounterReset(after: before))
        // Other custom bounds are compared on the bounds both share (Prometheus 3.5): (-Inf, 1]
        // holds 3 before and after, so no reset; fewer up to a shared bound is one.
        let custom = NativeHistogram(schema: NativeHistogram.customBucketsSchema, count: 3, sum: 1,
                                     positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveDeltas: [1, 1], customValues: [0.5, 1])
        #expect(!custom.isCounterReset(after: custom))
        #expect(after { _ in }.isCounterReset(after: custom))
        var rebounded = custom
        rebounded.customValues = [0.25, 1]
        #expect(!rebounded.isCounterReset(after: custom))
        var moved = NativeHistogram(schema: NativeHistogram.customBucketsSchema, count: 4, sum: 1,
                                    positiveSpans: [HistogramSpan(offset: 0, length: 3)], positiveDeltas: [1, 0, 1], customValues: [0.25, 1])
        #expect(moved.isCounterReset(after: custom), "only 2 of the 3 observations up to 1 are left")
        moved.customValues = [0.75, 2]
        #expect(!moved.isCounterReset(after: custom), "no shared bound: only the totals compare, and none went down")
    }

    /// Schemas from damaged chunks or hostile pushes: listing, merging, limiting and comparing
    /// them neither traps nor loops.
    @Test(arguments: [Int32.min, -54, -5, 9, 52, Int32.max])
    func schemasNoOneDefinesNeitherTrapNorMerge(schema: Int32) {
        let h = NativeHistogram(schema: schema, zeroThreshold: 0.5, zeroCount: 1, count: 3, sum: 1,
                                positiveSpans: [HistogramSpan(offset: Int32.max - 1, length: 2)], positiveDeltas: [1, 0],
                                negativeSpans: [HistogramSpan(offset: Int32.min, length: 1)], negativeDeltas: [1])
        #expect(!h.description.isEmpty)
        #expect(h.inconsistency != nil)
        #expect(h.reduced(toSchema: 0) == h)
        #expect(h.limited(toBuckets: 1) == nil)
        #expect(h.limited(toMinimumGrowthFactor: 2) == h)
        _ = h.isCounterReset(after: h)
        _ = h.floatHistogram.adding(h.floatHistogram)
        _ = h.floatHistogram.withZeroThreshold(atLeast: 4)
    }
}

@Suite struct HostileHistogramSpanTests {
    /// Spans claiming billions of buckets (a hostile scrape or push) are refused without listing
    /// them: every operation on such a histogram returns at once.
    @Test func spansClaimingBillionsOfBucketsAllocateNothingAndNeverLoop() {
        let huge = [HistogramSpan(offset: 0, length: UInt32.max), HistogramSpan(offset: 0, length: UInt32.max)]
        #expect(huge.bucketIndices == nil)
        let h = NativeHistogram(schema: 3, count: 2, sum: 1, positiveSpans: huge, positiveDeltas: [1, 0])
        #expect(h.inconsistency != nil)
        #expect(h.reduced(toSchema: 0) == h)
        #expect(h.limited(toBuckets: 1) == nil, "no resolution makes mismatched spans fit")
        #expect(h.limited(toMinimumGrowthFactor: 2) == h)
        #expect(h.populatedBuckets.isEmpty)
        let f = h.floatHistogram
        #expect(f.reduced(toSchema: 0).schema == 3)
        #expect(f.withZeroThreshold(atLeast: 1).zeroThreshold == 0)
        #expect(f.populatedBuckets.isEmpty)
        #expect(f.isCounterReset(after: f))
    }
}
