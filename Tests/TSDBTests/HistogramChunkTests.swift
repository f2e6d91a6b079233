import Foundation
import MetricModel
import Testing
@testable import TSDB

@Suite struct HistogramChunkTests {
    /// A counter histogram that grows by `step` observations per sample, spread over three
    /// positive buckets, one negative bucket and the zero bucket.
    static func histogram(_ n: UInt64, threshold: Double = 0x1p-128, schema: Int32 = 3) -> NativeHistogram {
        NativeHistogram(schema: schema, zeroThreshold: threshold, zeroCount: n, count: 6 * n, sum: Double(n) * 1.25,
                        positiveSpans: [HistogramSpan(offset: -2, length: 2), HistogramSpan(offset: 3, length: 1)],
                        positiveDeltas: [Int64(n), Int64(n), Int64(n)],
                        negativeSpans: [HistogramSpan(offset: 1, length: 2)], negativeDeltas: [Int64(n), -Int64(n) / 2])
    }

    @Test(arguments: [0.0, 0x1p-128, 0x1p-243, 0x1p10, 0.001, 0x1p11, 0x1p-244])
    func integerHistogramsReadBackAsWrittenWhateverTheZeroThreshold(threshold: Double) throws {
        var chunk = HistogramChunk()
        var written: [HistogramSample] = []
        var t: Int64 = 1_700_000_000_000
        for n in 0..<130 as Range<UInt64> {
            var h = Self.histogram(n * n, threshold: threshold)
            h.sum = n % 7 == 0 ? .nan : h.sum
            if n == 0 { h.counterResetHint = .counterReset }
            #expect(chunk.append(t: t, h) == .appended)
            written.append(HistogramSample(t: t, histogram: h))
            t += 15_000 + Int64(n % 3) * 7
        }
        let read = try #require(chunk.histograms())
        #expect(read.count == written.count)
        for (r, w) in zip(read, written) {
            var expected = w.histogram
            expected.counterResetHint = w.t == written[0].t ? .counterReset : .notCounterReset
            #expect(r.t == w.t)
            #expect(r.histogram.sum.bitPattern == expected.sum.bitPattern)
            var a = r.histogram, b = expected
            a.sum = 0; b.sum = 0
            #expect(a == b)
        }
        // The bytes alone (as a block holds them) decode to the same samples.
        let data = chunk.prometheusData
        let sealed = try #require(data.withUnsafeBytes { HistogramChunk(prometheusData: $0, minTime: written[0].t, maxTime: t) })
        #expect(sealed.header == .counterReset)
        #expect(sealed.histograms()?.map(\.t) == read.map(\.t))
        var copy = sealed
        #expect(copy.append(t: t + 1, Self.histogram(1)) == .needsNewChunk, "a chunk read from bytes takes no appends")
        // The threshold's encoding: one byte for 0 and powers of two from 2^-243 to 2^10, nine otherwise.
        let onePowerByte = threshold == 0 || (threshold.significandBitPattern == 0 && threshold.exponent >= -243 && threshold.exponent <= 10)
        #expect(data[3] == (onePowerByte ? (threshold == 0 ? 0 : UInt8(threshold.exponent + 244)) : 0xFF))
    }

    @Test func varbitFieldsRoundTripAtEveryWidthBoundary() {
        var signed: [Int64] = [0, 1, -1, .max, .min, .max - 1, .min + 1]
        var unsigned: [UInt64] = [0, 1, .max, .max - 1]
        for width in [3, 6, 9, 12, 18, 25, 56] {
            let half = Int64(1) << (width - 1)
            signed += [half, half + 1, -half, -half + 1, half - 1]
            let top = UInt64(1) << UInt64(width)
            unsigned += [top - 1, top, top + 1]
        }
        var writer = BitWriter()
        for v in signed { writer.writeVarbitInt(v) }
        for v in unsigned { writer.writeVarbitUInt(v) }
        writer.bytes.withUnsafeBytes { raw in
            var reader = ChunkBitReader(raw)
            for v in signed { #expect(reader.readVarbitInt() == v) }
            for v in unsigned { #expect(reader.readVarbitUInt() == v) }
        }
        // Zero is one bit; 4 needs the 3-bit width (its range is (-4, 4]), -4 the 6-bit one.
        var small = BitWriter()
        small.writeVarbitInt(0)
        #expect(small.bitCount == 1)
        small.writeVarbitInt(4)
        #expect(small.bitCount == 1 + 2 + 3)
        small.writeVarbitInt(-4)
        #expect(small.bitCount == 1 + 5 + 3 + 6)
    }

    @Test func newBucketsWidenTheChunkAndEarlierSamplesHoldZeroThere() throws {
        var chunk = HistogramChunk()
        let narrow = NativeHistogram(schema: 0, count: 2, sum: 3, positiveSpans: [HistogramSpan(offset: 1, length: 1)], positiveDeltas: [2])
        let wide = NativeHistogram(schema: 0, count: 5, sum: 9, positiveSpans: [HistogramSpan(offset: 0, length: 3)], positiveDeltas: [1, 1, 0])
        #expect(chunk.append(t: 1000, narrow) == .appended)
        #expect(chunk.append(t: 2000, narrow) == .appended)
        #expect(chunk.append(t: 3000, wide) == .recoded)
        // A sample lacking a bucket of the chunk's layout is widened with zero there.
        #expect(chunk.append(t: 4000, narrow) == .appended)
        let read = try #require(chunk.histograms())
        #expect(read.map(\.t) == [1000, 2000, 3000, 4000])
        #expect(read.allSatisfy { $0.histogram.positiveSpans == [HistogramSpan(offset: 0, length: 3)] })
        #expect(read.map { NativeHistogram.absoluteCounts($0.histogram.positiveDeltas) } == [[0, 2, 0], [0, 2, 0], [1, 2, 2], [0, 2, 0]])
        #expect(read.map(\.histogram.populatedBuckets) == [narrow.populatedBuckets, narrow.populatedBuckets, wide.populatedBuckets, narrow.populatedBuckets])
    }

    @Test func anotherSchemaThresholdOrBoundsNeedsANewChunk() {
        var chunk = HistogramChunk()
        #expect(chunk.append(t: 1, Self.histogram(1)) == .appended)
        #expect(chunk.append(t: 2, Self.histogram(2, schema: 2)) == .needsNewChunk)
        #expect(chunk.append(t: 3, Self.histogram(3, threshold: 0.5)) == .needsNewChunk)
        var broken = Self.histogram(4)
        broken.positiveDeltas.removeLast()
        #expect(chunk.append(t: 4, broken) == .needsNewChunk, "spans listing more buckets than given")
        #expect(chunk.count == 1)
    }

    @Test func customBucketBoundsRoundTripInBothForms() throws {
        // 0.25 and 10 fit the short thousandths form; 0.0001234 and 1e9 need the full float.
        let bounds = [0.0001234, 0.25, 10, 1e9]
        let h = NativeHistogram(schema: NativeHistogram.customBucketsSchema, count: 11, sum: 42,
                                positiveSpans: [HistogramSpan(offset: 0, length: 5)], positiveDeltas: [1, 1, 1, 1, -3], customValues: bounds)
        #expect(h.inconsistency == nil)
        var short = h
        short.count = 10
        #expect(short.inconsistency == "count 10 is below the 11 observations in buckets")
        var unordered = h
        unordered.customValues = [1, 0.5, 2, 3]
        #expect(unordered.inconsistency == "custom bucket bounds must be ascending")
        var chunk = HistogramChunk()
        #expect(chunk.append(t: 5, h) == .appended)
        let read = try #require(chunk.histograms()?.first)
        #expect(read.histogram.customValues == bounds)
        #expect(read.histogram.populatedBuckets.map(\.upper) == [0.0001234, 0.25, 10, 1e9, .infinity])
        #expect(read.histogram.populatedBuckets.first?.lower == -.infinity)
    }

    @Test func floatHistogramsReadBackBitForBit() throws {
        var chunk = FloatHistogramChunk()
        var written: [FloatHistogramSample] = []
        for n in 0..<100 {
            var h = Self.histogram(UInt64(n)).floatHistogram
            h.count = Double(n) / 3
            h.positiveBuckets = h.positiveBuckets.map { $0 * 0.1 }
            if n == 40 { h.sum = .nan } // an ordinary NaN sum is kept bit for bit
            if n == 99 { h = FloatHistogram(counterResetHint: .gauge, schema: 0, count: 0, sum: StaleNaN.value) } // a marker ends the chunk
            h.counterResetHint = .gauge
            #expect(chunk.append(t: Int64(n) * 10_000, h) == .appended)
            written.append(FloatHistogramSample(t: Int64(n) * 10_000, histogram: h))
        }
        let read = try #require(chunk.histograms())
        #expect(read.count == written.count)
        #expect(zip(read, written).allSatisfy { $0.t == $1.t && $0.histogram.isIdentical(to: $1.histogram) })
        let data = chunk.prometheusData
        #expect(data[2] == 0b1100_0000, "a gauge histogram chunk says so in its header")
        let sealed = try #require(data.withUnsafeBytes { FloatHistogramChunk(prometheusData: $0, minTime: 0, maxTime: 990_000) })
        #expect(sealed.histograms()?.count == 100)
    }

    @Test func stalenessMarkersCarryNoBucketsAndOnlyMarkersFollowThem() throws {
        var chunk = HistogramChunk()
        #expect(chunk.append(t: 1000, Self.histogram(1)) == .appended)
        #expect(chunk.append(t: 2000, Self.histogram(2)) == .appended)
        let marker = NativeHistogram(schema: 5, count: 9, sum: StaleNaN.value)
        #expect(chunk.append(t: 3000, marker) == .appended)
        #expect(chunk.append(t: 4000, marker) == .appended)
        #expect(chunk.append(t: 5000, Self.histogram(3)) == .needsNewChunk, "a series coming back starts a chunk")
        let read = try #require(chunk.histograms())
        #expect(read.map(\.t) == [1000, 2000, 3000, 4000])
        #expect(read[1].histogram.positiveDeltas == Self.histogram(2).positiveDeltas)
        #expect(read.suffix(2).allSatisfy { StaleNaN.isStale($0.histogram.sum) && $0.histogram.count == 0 && $0.histogram.positiveSpans.isEmpty })
        // A chunk may open with a marker (its layout is then empty).
        var opened = HistogramChunk()
        #expect(opened.append(t: 1, marker) == .appended)
        #expect(opened.append(t: 2, Self.histogram(1)) == .needsNewChunk)
        #expect(opened.histograms()?.count == 1)

        var floats = FloatHistogramChunk()
        #expect(floats.append(t: 1000, Self.histogram(1).floatHistogram) == .appended)
        #expect(floats.append(t: 2000, marker.floatHistogram) == .appended)
        #expect(floats.append(t: 3000, Self.histogram(2).floatHistogram) == .needsNewChunk)
        let floatRead = try #require(floats.histograms())
        #expect(floatRead.count == 2 && StaleNaN.isStale(floatRead[1].histogram.sum) && floatRead[1].histogram.positiveBuckets.isEmpty)
        #expect(floatRead[0].histogram.isIdentical(to: Self.histogram(1).floatHistogram))
    }

    @Test func damagedChunksEndTheReadWithoutTrapping() {
        var rng = SystemRandomNumberGenerator()
        var chunk = HistogramChunk()
        for n in 0..<50 as Range<UInt64> { _ = chunk.append(t: Int64(n) * 1000, Self.histogram(n)) }
        let good = chunk.prometheusData
        for round in 0..<2000 {
            var bytes = good
            if round % 2 == 0 {
                bytes = Array(bytes.prefix(Int.random(in: 3...bytes.count, using: &rng)))
            } else {
                for _ in 0..<4 { bytes[Int.random(in: 3..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            }
            let samples = bytes.withUnsafeBytes { HistogramChunk(prometheusData: $0, minTime: 0, maxTime: 49_000) }?.histograms()
            #expect((samples?.count ?? 0) <= 50)
            let floats = bytes.withUnsafeBytes { FloatHistogramChunk(prometheusData: $0, minTime: 0, maxTime: 49_000) }?.histograms()
            #expect((floats?.count ?? 0) <= 50)
        }
        // A claimed sample count far beyond the bits, and spans claiming millions of buckets.
        var huge = good
        huge[0] = 0xFF
        huge[1] = 0xFF
        #expect(huge.withUnsafeBytes { HistogramChunk(prometheusData: $0, minTime: 0, maxTime: 1) }?.histograms() == nil)
        var spans = BitWriter()
        HistogramChunkLayout.writeZeroThreshold(0, to: &spans)
        spans.writeVarbitInt(0)
        spans.writeVarbitUInt(1)
        spans.writeVarbitUInt(UInt64(UInt32.max))
        spans.writeVarbitInt(0)
        let claim = [0, 1, 0] + spans.bytes
        #expect(claim.withUnsafeBytes { HistogramChunk(prometheusData: $0, minTime: 0, maxTime: 1) }?.histograms() == nil)
    }

    @Test func histogramsPrintAsPrometheusPrintsThem() {
        let h = NativeHistogram(schema: 0, zeroThreshold: 0.001, zeroCount: 1, count: 6, sum: 7.5,
                                positiveSpans: [HistogramSpan(offset: 1, length: 2)], positiveDeltas: [3, -3],
                                negativeSpans: [HistogramSpan(offset: 1, length: 1)], negativeDeltas: [2])
        #expect(h.description == "{count:6, sum:7.5, [-2,-1):2, [-0.001,0.001]:1, (1,2]:3}")
        var f = h.floatHistogram
        f.count = 6.5
        #expect(f.description == "{count:6.5, sum:7.5, [-2,-1):2, [-0.001,0.001]:1, (1,2]:3}")
        // Schema 3 bounds are eighth powers of two; a bucket the zero bucket cuts into starts at its edge.
        #expect(HistogramBounds.upper(index: 4, schema: 3) == 2.0.squareRoot())
        #expect(HistogramBounds.upper(index: -16, schema: 2) == 0.0625)
        let edge = NativeHistogram(schema: 1, zeroThreshold: 0.01, count: 1, sum: 0.0105,
                                   positiveSpans: [HistogramSpan(offset: -13, length: 1)], positiveDeltas: [1])
        #expect(edge.populatedBuckets.first?.lower == 0.01)
    }
}
