import Foundation
import MetricModel
import Testing
@testable import TSDB

/// Native histogram samples in the head: appends, chunk cutting and headers, validation, the
/// WAL, snapshots, blocks, truncation and deletion.
@Suite struct HeadHistogramTests {
    static let labels = Labels(["__name__": "request_duration_seconds", "job": "model-api"])
    static let step: Int64 = 15_000

    /// A counter histogram after `n` rounds of observations: four per round in the zero bucket,
    /// two positive buckets and a negative one.
    static func counter(_ n: UInt64) -> NativeHistogram {
        NativeHistogram(schema: 1, zeroThreshold: 0.001, zeroCount: n, count: 4 * n, sum: Double(n) * 0.75,
                        positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveDeltas: [Int64(n), 0],
                        negativeSpans: [HistogramSpan(offset: 1, length: 1)], negativeDeltas: [Int64(n)])
    }

    static func append(_ head: Head, _ values: [(t: Int64, value: HistogramValue)], labels: Labels = labels) throws -> AppendReport {
        var app = head.appender()
        for v in values { _ = app.append(ref: nil, labels: labels, t: v.t, histogram: v.value) }
        return try app.commit()
    }

    static func series(_ q: any Querier, labels: Labels = labels) -> SeriesData? {
        q.select([], mint: .min, maxt: .max).first { $0.labels == labels }
    }

    /// The samples with the hints the chunks give them (first of a chunk: its header; later: none).
    static func counts(_ s: SeriesData?) -> [UInt64] { s?.histogramSamples().map(\.histogram.count) ?? [] }

    @Test func integerHistogramsAppendedToTheHeadReadBackInOrder() throws {
        let head = Head.inMemory()
        let written = (1...30).map { (t: Int64($0) * Self.step, value: HistogramValue.integer(Self.counter(UInt64($0)))) }
        let report = try Self.append(head, written)
        #expect(report.appended == 30)
        let read = try #require(Self.series(head)).histogramSamples()
        #expect(read.map(\.t) == written.map(\.t))
        for (r, w) in zip(read, written) {
            var expected = w.value
            if case .integer(var h) = expected {
                h.counterResetHint = r.t == written[0].t ? .unknown : .notCounterReset
                expected = .integer(h)
            }
            #expect(HistogramValue.integer(r.histogram).isIdentical(to: expected))
        }
        #expect(head.maxTime == 30 * Self.step)
    }

    @Test func aCounterResetStartsAChunkWhoseHeaderSaysSo() throws {
        let head = Head.inMemory()
        let values = [5, 6, 7, 2, 3].enumerated().map { (t: Int64($0.offset + 1) * Self.step, value: HistogramValue.integer(Self.counter(UInt64($0.element)))) }
        _ = try Self.append(head, values)
        let chunks = try #require(Self.series(head)).histogramChunks
        #expect(chunks.count == 2)
        #expect(chunks.map(\.header) == [.unknown, .counterReset])
        #expect(chunks.map(\.count) == [3, 2])
    }

    @Test func aProducersResetHintIsObeyedEvenWhenCountsGrow() throws {
        let head = Head.inMemory()
        var reset = Self.counter(9)
        reset.counterResetHint = .counterReset
        _ = try Self.append(head, [(Self.step, .integer(Self.counter(5))), (2 * Self.step, .integer(reset))])
        #expect(try #require(Self.series(head)).histogramChunks.map(\.header) == [.unknown, .counterReset])
    }

    @Test func chunksAreCutAtOneHundredTwentySamplesWithoutAReset() throws {
        let head = Head.inMemory()
        // Small histograms: no chunk reaches the byte target before 120 samples.
        let values = (1...250).map { n -> (t: Int64, value: HistogramValue) in
            (Int64(n) * 1000, .integer(NativeHistogram(schema: 0, count: UInt64(n), sum: Double(n), positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveDeltas: [Int64(n)])))
        }
        _ = try Self.append(head, values)
        let chunks = try #require(Self.series(head)).histogramChunks
        #expect(chunks.map(\.count) == [120, 120, 10])
        #expect(chunks.map(\.header) == [.unknown, .notCounterReset, .notCounterReset])
        #expect(Self.counts(Self.series(head)) == (1...250).map(UInt64.init))
    }

    @Test func largeHistogramsCutAChunkAtTheByteTarget() throws {
        let head = Head.inMemory()
        let buckets = 80
        let values = (1...100).map { n -> (t: Int64, value: HistogramValue) in
            // Every bucket grows by 1,000 per sample plus up to 499 of noise: never a reset, and
            // deltas of deltas that take bits.
            let absolute = (0..<buckets).map { Int64(1 + $0 + n * 1000 + ($0 * 7919 + n * 104_729) % 500) }
            let total = UInt64(absolute.reduce(0, +))
            return (Int64(n) * Self.step, .integer(NativeHistogram(schema: 3, count: total, sum: Double(total),
                                                                   positiveSpans: [HistogramSpan(offset: 0, length: UInt32(buckets))],
                                                                   positiveDeltas: NativeHistogram.deltas(absolute))))
        }
        _ = try Self.append(head, values)
        let chunks = try #require(Self.series(head)).histogramChunks
        #expect(chunks.count > 1)
        #expect(chunks.dropLast().allSatisfy { $0.count >= MemSeries.histogramChunkMinimumSamples && $0.count < MemSeries.histogramChunkSamples })
        #expect(chunks.dropLast().allSatisfy { $0.byteCount >= MemSeries.histogramChunkTargetBytes })
        #expect(chunks.reduce(0) { $0 + $1.count } == 100)
    }

    @Test func gaugeHistogramsGetTheGaugeHeaderAndNeverCountAsResets() throws {
        let head = Head.inMemory()
        let values = [9, 3, 7, 1].enumerated().map { i, n -> (t: Int64, value: HistogramValue) in
            var h = Self.counter(UInt64(n))
            h.counterResetHint = .gauge
            return (Int64(i + 1) * Self.step, .integer(h))
        }
        _ = try Self.append(head, values)
        let chunks = try #require(Self.series(head)).histogramChunks
        #expect(chunks.map(\.header) == [.gauge])
        #expect(Self.counts(Self.series(head)) == [36, 12, 28, 4])
    }

    @Test func aSchemaChangeStartsAChunkOfUnknownResetState() throws {
        let head = Head.inMemory()
        var finer = Self.counter(8)
        finer.schema = 2
        _ = try Self.append(head, [(Self.step, .integer(Self.counter(5))), (2 * Self.step, .integer(Self.counter(6))), (3 * Self.step, .integer(finer))])
        let chunks = try #require(Self.series(head)).histogramChunks
        // A finer schema is a reset by Prometheus' rules (buckets cannot be compared).
        #expect(chunks.map(\.header) == [.unknown, .counterReset])
        var coarser = Self.counter(9)
        coarser.schema = 0
        _ = try Self.append(head, [(4 * Self.step, .integer(coarser))])
        #expect(try #require(Self.series(head)).histogramChunks.map(\.header) == [.unknown, .counterReset, .unknown])
    }

    @Test func floatHistogramsGoToFloatHistogramChunks() throws {
        let head = Head.inMemory()
        let values = (1...5).map { (t: Int64($0) * Self.step, value: HistogramValue.float(Self.counter(UInt64($0)).floatHistogram)) }
        #expect(try Self.append(head, values).appended == 5)
        let s = try #require(Self.series(head))
        #expect(s.histogramChunks.isEmpty)
        #expect(s.floatHistogramSamples().map(\.histogram.count) == [4, 8, 12, 16, 20])
    }

    @Test func repeatedOlderAndInconsistentHistogramsAreRefusedOneByOne() throws {
        let head = Head.inMemory()
        _ = try Self.append(head, [(2 * Self.step, .integer(Self.counter(2)))])
        var broken = Self.counter(3)
        broken.positiveDeltas = [1]
        var negative = Self.counter(3)
        negative.negativeDeltas = [-1]
        let report = try Self.append(head, [
            (2 * Self.step, .integer(Self.counter(2))),   // the stored one again: ignored
            (2 * Self.step, .integer(Self.counter(3))),   // same time, other value
            (Self.step, .integer(Self.counter(1))),       // older
            (3 * Self.step, .integer(broken)),            // spans list 2 positive buckets, 1 given
            (3 * Self.step, .integer(negative)),          // negative bucket count
            (3 * Self.step, .integer(Self.counter(3))),
        ])
        #expect(report.appended == 1)
        #expect(report.ignoredDuplicates == 1)
        #expect(report.duplicate == 1)
        #expect(report.outOfOrder == 1)
        #expect(report.invalid == 2)
        #expect(head.stats.invalidHistograms.load(ordering: .relaxed) == 2)
        #expect(Self.counts(Self.series(head)) == [8, 12])
    }

    @Test func floatsAndHistogramsOfOneSeriesStayInTimeOrderAndChunksNeverOverlap() throws {
        let head = Head.inMemory()
        var app = head.appender()
        for i in 1...3 { _ = app.append(ref: nil, labels: Self.labels, t: Int64(i) * Self.step, v: Double(i)) }
        _ = try app.commit()
        _ = try Self.append(head, [(4 * Self.step, .integer(Self.counter(4))), (5 * Self.step, .integer(Self.counter(5)))])
        app = head.appender()
        _ = app.append(ref: nil, labels: Self.labels, t: 5 * Self.step, v: 1)   // the histogram's time
        _ = app.append(ref: nil, labels: Self.labels, t: 6 * Self.step, v: 6)
        let report = try app.commit()
        #expect(report.duplicate == 1)
        #expect(report.appended == 1)
        _ = try Self.append(head, [(7 * Self.step, .integer(Self.counter(7)))])
        let s = try #require(Self.series(head))
        #expect(s.samples().map(\.t) == [1, 2, 3, 6].map { $0 * Self.step })
        #expect(s.histogramSamples().map(\.t) == [4, 5, 7].map { $0 * Self.step })
        // Each chunk holds a run between samples of the other kind.
        #expect(s.histogramChunks.map(\.count) == [2, 1])
        #expect(s.histogramChunks.map(\.header) == [.unknown, .unknown])
    }

    @Test func aStalenessMarkerAfterAHistogramIsAHistogramMarker() throws {
        let head = Head.inMemory()
        _ = try Self.append(head, [(Self.step, .integer(Self.counter(1))), (2 * Self.step, .integer(Self.counter(2)))])
        var app = head.appender()
        _ = app.append(ref: nil, labels: Self.labels, t: 3 * Self.step, v: StaleNaN.value)
        #expect(try app.commit().appended == 1)
        let s = try #require(Self.series(head))
        #expect(s.samples().isEmpty)
        let read = s.histogramSamples()
        #expect(read.count == 3)
        #expect(StaleNaN.isStale(read[2].histogram.sum))
        // After the marker the series comes back in a new chunk that knows nothing of a reset.
        _ = try Self.append(head, [(4 * Self.step, .integer(Self.counter(3)))])
        let chunks = try #require(Self.series(head)).histogramChunks
        #expect(chunks.map(\.count) == [3, 1])
        #expect(chunks.map(\.header) == [.unknown, .unknown])
    }

    // MARK: Durability

    static func fill(_ db: Database, from: Int, to: Int) throws {
        var app = db.head.appender()
        for n in from...to {
            _ = app.append(ref: nil, labels: labels, t: Int64(n) * step, histogram: .integer(counter(UInt64(n % 50 + 1))))
            var gauge = counter(UInt64(n % 7 + 1)).floatHistogram
            gauge.counterResetHint = .gauge
            _ = app.append(ref: nil, labels: Labels(["__name__": "queue_depth", "job": "model-api"]), t: Int64(n) * step, histogram: .float(gauge))
            _ = app.append(ref: nil, labels: Labels(["__name__": "up", "job": "model-api"]), t: Int64(n) * step, v: 1)
        }
        _ = try app.commit()
    }

    /// Every series' samples of all three kinds, as text (bit-exact floats, hints included).
    static func everything(_ q: any Querier) -> [String] {
        q.select([], mint: .min, maxt: .max).flatMap { s -> [String] in
            let floats = s.samples().map { "\(s.labels) \($0.t) \($0.v.bitPattern)" }
            let integers = s.histogramSamples().map { "\(s.labels) \($0.t) \($0.histogram) \($0.histogram.sum.bitPattern)" }
            let float = s.floatHistogramSamples().map { "\(s.labels) \($0.t) \($0.histogram) \($0.histogram.sum.bitPattern)" }
            return floats + integers + float
        }.sorted()
    }

    @Test func histogramsSurviveARestartThroughTheWAL() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        try Self.fill(db, from: 1, to: 300)
        let before = Self.everything(db)
        #expect(before.count == 900)
        db.close()
        let reopened = try Database(directory: dir.path)
        #expect(Self.everything(reopened) == before)
        // The chunks are cut the same way on replay.
        #expect(Self.series(reopened)?.histogramChunks.map(\.header) == Self.series(db)?.histogramChunks.map(\.header))
        reopened.close()
    }

    @Test func histogramsSurviveASnapshotAndAppendsContinueAfterIt() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        try Self.fill(db, from: 1, to: 200)
        try db.checkpoint()
        try Self.fill(db, from: 201, to: 230)
        let before = Self.everything(db)
        db.close()
        let reopened = try Database(directory: dir.path)
        #expect(reopened.replayReport.snapshotSeries == 3)
        #expect(Self.everything(reopened) == before)
        try Self.fill(reopened, from: 231, to: 240)
        #expect(Self.everything(reopened).count == before.count + 30)
        reopened.close()
    }

    @Test func theHeadIsCutIntoBlocksHoldingItsHistogramChunks() throws {
        let dir = TempDirectory()
        let db = try Database(directory: dir.path)
        // Five hours at 15 s: one two-hour block is cut.
        try Self.fill(db, from: 0, to: 1200)
        let before = Self.everything(db)
        #expect(try db.compactHead() == 1)
        #expect(db.blocks.count == 1)
        #expect(db.blocks[0].meta.stats.numSeries == 3)
        #expect(db.blocks[0].meta.stats.numSamples == 3 * 480)
        // The block serves the first two hours, the head the rest: together, everything.
        let blockSeries = db.blocks[0].select([], mint: .min, maxt: .max)
        #expect(blockSeries.reduce(0) { $0 + $1.histogramSamples().count + $1.floatHistogramSamples().count } == 2 * 480)
        #expect(Self.everything(db) == before)
        #expect(db.head.minTime == 2 * 3_600_000)
        db.close()
        let reopened = try Database(directory: dir.path)
        #expect(Self.everything(reopened) == before)
        reopened.close()
    }

    @Test func deletingARangeRemovesHistogramSamplesToo() throws {
        let head = Head.inMemory()
        _ = try Self.append(head, (1...10).map { (Int64($0) * Self.step, .integer(Self.counter(UInt64($0)))) })
        #expect(head.deleteSamples(matching: [try LabelMatcher(.equal, "job", "model-api")], in: 3 * Self.step...5 * Self.step) == 1)
        #expect(Self.counts(Self.series(head)) == [4, 8, 24, 28, 32, 36, 40])
        #expect(head.truncate(before: 9 * Self.step).series == 0)
        // Truncation drops whole chunks ending before the bound; the series stays.
        #expect(Self.series(head) != nil)
    }

    @Test func aSeriesHoldingOnlyOldHistogramsLeavesTheHead() throws {
        let head = Head.inMemory()
        _ = try Self.append(head, (1...10).map { (Int64($0) * Self.step, .integer(Self.counter(UInt64($0)))) })
        let dropped = head.truncate(before: 100 * Self.step)
        #expect(dropped.series == 1)
        #expect(dropped.bytes > 0)
        #expect(head.seriesCount == 0)
    }

    // MARK: WAL records

    @Test func histogramRecordsRoundTripBitForBit() throws {
        var gauge = Self.counter(3).floatHistogram
        gauge.counterResetHint = .gauge
        gauge.sum = -.infinity
        let custom = NativeHistogram(schema: -53, count: 3, sum: 1.5, positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveDeltas: [1, 1],
                                     customValues: [0.1, 0.5])
        let samples = [
            RefHistogramSample(ref: 1 << 32 | 7, t: -5, value: .integer(Self.counter(4))),
            RefHistogramSample(ref: 2, t: 1_700_000_000_000, value: .float(gauge)),
            RefHistogramSample(ref: 3, t: 0, value: .integer(.staleMarker)),
            RefHistogramSample(ref: 4, t: 1, value: .integer(custom)),
        ]
        let record = WALRecord.histograms(samples)
        let payload = record.encodePayload()
        #expect(WALRecord.decode(kind: WALRecord.Kind.histograms.rawValue, payload: payload) == record)
        // Every truncation is refused, never misread or trapped on.
        for cut in 0..<payload.count {
            #expect(WALRecord.decode(kind: WALRecord.Kind.histograms.rawValue, payload: Array(payload[..<cut])) == nil)
        }
    }

    @Test func aHostileHistogramRecordIsRefusedWithoutAllocatingItsClaims() {
        // Claims of a huge sample count, span count, bucket count, an out-of-range schema.
        let payloads: [[UInt8]] = [
            [0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
            [1, 1, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 16) + [0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
            [1, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + [UInt8](repeating: 0, count: 16),
            [1, 1, 0, 7, 0, 0] + [UInt8](repeating: 0, count: 16),
        ]
        for p in payloads { #expect(WALRecord.decode(kind: WALRecord.Kind.histograms.rawValue, payload: p) == nil) }
    }
}
