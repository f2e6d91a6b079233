import Logging
import MetricModel
import Synchronization

/// The in-memory head of the database: every series with its compressed chunks, the postings
/// index and the WAL that makes it durable. All state sits behind one lock taken once per commit
/// or query, never per sample.
public final class Head: Sendable, Appendable, Querier {
    struct State: ~Copyable {
        /// Series by slot (`Head+SeriesSlots.swift`); a dropped series leaves a nil the next new
        /// series takes.
        var series: [MemSeries?] = []
        /// Hot per-series values by slot, parallel to `series`.
        var hot: [SeriesHot] = []
        /// Empty slots, taken by new series before the table grows.
        var freeSlots: [Int] = []
        /// The generation of the next reference made for a reused slot.
        var nextGeneration: SeriesRef = 1
        /// Series by their labels (slots, compared against `series`).
        var lookup = SeriesLookup()
        var index = PostingsIndex()
        /// The strings of every live series' labels, which series hold as ids.
        var symbols = SymbolTable()
        var maxTime: Int64 = .min
        /// Samples older than this are refused as out of bounds: their range is already in a
        /// block (the end of the newest block cut from the head or found on disk).
        var minValidTime: Int64 = .min
        /// Slots where a chunk was closed since full chunks were last written to the head chunk
        /// files (`Head+ChunkMapping.swift`); may repeat a slot.
        var unmappedSlots: [Int] = []
        /// Series whose WAL record could not be written (a full disk): logged ahead of the next
        /// samples, so no sample record ever refers to a series the WAL does not know.
        var unloggedSeries: [RefSeries] = []
    }

    /// Only this file touches it; replay, snapshots and the status API go through the calls below.
    private let state = Mutex(State())
    let wal: WAL?
    let logger: Logger
    public let stats = HeadStats()
    /// The size of the last snapshot, so the next one's buffer is reserved once, not grown by
    /// doubling (which copied tens of megabytes and doubled the peak at every checkpoint).
    private let lastSnapshotBytes = Atomic<Int>(0)

    /// Samples later than the clock's now plus this window are refused (nil: no such bound).
    let futureBound: (clock: any WallClock, windowMs: Int64)?
    /// The block range in milliseconds: chunks are cut at its multiples.
    let blockRange: Int64

    init(wal: WAL?, logger: Logger, futureBound: (clock: any WallClock, windowMs: Int64)? = nil,
         blockRange: Int64 = BlockRange.defaultMs) {
        self.wal = wal
        self.logger = logger
        self.futureBound = futureBound
        self.blockRange = max(1, blockRange)
    }

    /// A head with no WAL that refuses samples more than `windowMs` ahead of `clock`.
    public static func inMemory(refusingSamplesAfter windowMs: Int64, of clock: any WallClock) -> Head {
        Head(wal: nil, logger: Logger(label: "vigil.head"), futureBound: (clock, windowMs))
    }

    /// A head with no WAL: for tests and tools that do not need durability.
    public static func inMemory() -> Head { Head(wal: nil, logger: Logger(label: "vigil.head")) }

    public func appender() -> any Appender { HeadAppender(head: self) }

    /// Runs `body` under the head's lock: for the head's own extensions (block cutting), which
    /// take the lock once for all series.
    func withState<R>(_ body: (inout State) -> R) -> R { state.withLock { body(&$0) } }

    // MARK: Series

    /// The reference of the series with these labels, creating (and logging) it when new.
    func getOrCreate(_ labels: Labels) -> SeriesRef {
        state.withLock { s in getOrCreateLocked(labels, in: &s) }
    }

    private func getOrCreateLocked(_ labels: Labels, in s: inout State) -> SeriesRef {
        if let slot = s.lookup.slot(of: labels, in: s.series, symbols: s.symbols) { return s.hot[slot].ref }
        let (slot, ref) = Self.allocateSlot(in: &s)
        Self.place(ref, labels, at: slot, in: &s)
        stats.seriesCreated.add(1, ordering: .relaxed)
        let record = RefSeries(ref: ref, labels: labels)
        if s.unloggedSeries.isEmpty {
            do {
                // Logged at creation, so a sample record can never precede its series record.
                try wal?.log([.series([record])])
                return ref
            } catch {
                stats.walWriteFailures.add(1, ordering: .relaxed)
                logger.error("WAL write of a new series failed; it is logged with the next samples: \(error)")
            }
        }
        s.unloggedSeries.append(record)
        return ref
    }

    /// The labels of each reference the head still holds (one lock for all of them): how the
    /// remote-write sender names series whose WAL series record is in a removed segment.
    public func labels(of refs: some Sequence<SeriesRef>) -> [SeriesRef: Labels] {
        state.withLock { s in
            var out: [SeriesRef: Labels] = [:]
            for ref in refs {
                guard let slot = Self.liveSlot(of: ref, in: s), let labels = s.series[slot]?.labels else { continue }
                out[ref] = s.symbols.labels(of: labels)
            }
            return out
        }
    }

    /// Number of live series.
    public var seriesCount: Int { state.withLock { $0.lookup.count } }

    /// Newest sample timestamp in the head.
    public var maxTime: Int64 { state.withLock { $0.maxTime } }

    // MARK: Commit

    struct PendingSample {
        var ref: SeriesRef
        /// nil for a sample appended by reference alone.
        var labels: Labels?
        var t: Int64
        var v: Double
    }

    struct PendingHistogram {
        var ref: SeriesRef
        var labels: Labels
        var t: Int64
        var value: HistogramValue
    }

    func commit(_ pending: [PendingSample], histograms pendingHistograms: [PendingHistogram] = []) throws(StorageIOError) -> AppendReport {
        // One reading of the clock per commit; far ahead of it is as out of bounds as beyond 2^50 ms.
        var latestAllowed = Int64.max
        if let bound = futureBound {
            let (sum, overflow) = bound.clock.nowMs().addingReportingOverflow(bound.windowMs)
            if !overflow { latestAllowed = sum }
        }
        return try state.withLock { (s: inout State) throws(StorageIOError) -> AppendReport in
            var report = AppendReport()
            var accepted: [RefSample] = []
            accepted.reserveCapacity(pending.count)
            var acceptedSlots: [Int] = []
            acceptedSlots.reserveCapacity(pending.count)
            // Validate against each series' newest sample, including earlier ones in this batch.
            // Fields are read in place: copying a MemSeries out would retain its labels and chunks,
            // and copying a pending sample out would retain its labels.
            for k in pending.indices {
                let p = (ref: pending[k].ref, t: pending[k].t, v: pending[k].v)
                // Far beyond any real clock: refused, so range arithmetic on stored times cannot overflow.
                guard Milliseconds.isInRange(p.t), p.t <= latestAllowed, p.t >= s.minValidTime else {
                    report.outOfBounds += 1
                    continue
                }
                let idx: Int
                if let live = Self.liveSlot(of: p.ref, in: s) {
                    idx = live
                } else if let labels = pending[k].labels {
                    // Dropped by retention since the appender got its ref: re-create by labels.
                    let ref = getOrCreateLocked(labels, in: &s)
                    guard let created = Self.liveSlot(of: ref, in: s) else { continue }
                    idx = created
                } else {
                    // Appended by reference alone: handed back for the caller to append by labels.
                    report.unknownSeries.append(RefSample(ref: p.ref, t: p.t, v: p.v))
                    continue
                }
                let hot = s.hot[idx]
                switch Self.admission(of: p.t, hot, repeatsNewest: hot.lastValueBits == p.v.bitPattern) {
                case .newer:
                    s.hot[idx].pendingMaxTime = p.t
                    accepted.append(RefSample(ref: hot.ref, t: p.t, v: p.v))
                    acceptedSlots.append(idx)
                case .repeated: report.ignoredDuplicates += 1
                case .duplicate: report.duplicate += 1
                case .outOfOrder: report.outOfOrder += 1
                }
            }
            // Histograms after floats, as the WAL holds them: a series' samples stay in time order
            // across both kinds.
            var acceptedHistograms: [RefHistogramSample] = []
            var acceptedHistogramSlots: [Int] = []
            for p in pendingHistograms {
                guard Milliseconds.isInRange(p.t), p.t <= latestAllowed, p.t >= s.minValidTime else {
                    report.outOfBounds += 1
                    continue
                }
                guard p.value.inconsistency == nil else {
                    report.invalid += 1
                    continue
                }
                var idx = Self.liveSlot(of: p.ref, in: s)
                if idx == nil { idx = Self.liveSlot(of: getOrCreateLocked(p.labels, in: &s), in: s) }
                guard let idx else { continue }
                let hot = s.hot[idx]
                // Compared with the stored histogram only when the time repeats (it is decoded).
                let repeats = p.t == hot.maxTime && s.series[idx]?.lastHistogram.map({ Self.sameHistogram($0, p.value) }) == true
                switch Self.admission(of: p.t, hot, repeatsNewest: repeats) {
                case .newer:
                    s.hot[idx].pendingMaxTime = p.t
                    acceptedHistograms.append(RefHistogramSample(ref: hot.ref, t: p.t, value: p.value))
                    acceptedHistogramSlots.append(idx)
                case .repeated:
                    report.ignoredDuplicates += 1
                    report.ignoredDuplicateHistograms += 1
                case .duplicate: report.duplicate += 1
                case .outOfOrder: report.outOfOrder += 1
                }
            }
            defer {
                for idx in acceptedSlots { s.hot[idx].pendingMaxTime = .min }
                for idx in acceptedHistogramSlots { s.hot[idx].pendingMaxTime = .min }
            }
            if !accepted.isEmpty || !acceptedHistograms.isEmpty || !s.unloggedSeries.isEmpty {
                // The WAL write must succeed before anything becomes visible; a failed one leaves
                // the head as it was, and the caller reports the error (ingestion is refused).
                var records: [WALRecord] = []
                if !s.unloggedSeries.isEmpty { records.append(.series(s.unloggedSeries)) }
                if !accepted.isEmpty { records.append(.samples(accepted)) }
                if !acceptedHistograms.isEmpty { records.append(.histograms(acceptedHistograms)) }
                do throws(StorageIOError) {
                    try wal?.log(records)
                } catch {
                    stats.walWriteFailures.add(1, ordering: .relaxed)
                    throw error
                }
                s.unloggedSeries.removeAll()
            }
            var newest = s.maxTime
            for (a, idx) in zip(accepted, acceptedSlots) {
                if s.series[idx]?.append(t: a.t, v: a.v, blockRange: blockRange) == true { s.unmappedSlots.append(idx) }
                s.hot[idx].maxTime = a.t
                s.hot[idx].lastValueBits = a.v.bitPattern
                if a.t > newest { newest = a.t }
            }
            for (a, idx) in zip(acceptedHistograms, acceptedHistogramSlots) {
                if s.series[idx]?.append(t: a.t, histogram: a.value, blockRange: blockRange) == true { s.unmappedSlots.append(idx) }
                s.hot[idx].maxTime = a.t
                s.hot[idx].lastValueBits = StaleNaN.bits
                if a.t > newest { newest = a.t }
            }
            s.maxTime = newest
            report.appended = accepted.count + acceptedHistograms.count
            report.appendedHistograms = acceptedHistograms.count
            stats.record(report)
            return report
        }
    }

    // MARK: Query

    public func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64, sorted: Bool) -> [SeriesData] {
        let found: [SeriesData] = state.withLock { s in
            let matching = Self.matching(matchers, in: s)
            let mint = max(mint, s.minValidTime)
            var result: [SeriesData] = []
            result.reserveCapacity(matching.count)
            for i in matching {
                guard let labels = s.series[i]?.labels, let chunks = s.series[i]?.chunks(overlapping: mint, maxt) else { continue }
                if s.series[i]?.hasHistograms == true, let series = s.series[i] {
                    let integer = MemSeries.chunks(series.histogramChunks, overlapping: mint, maxt)
                    let float = MemSeries.chunks(series.floatHistogramChunks, overlapping: mint, maxt)
                    guard !chunks.isEmpty || !integer.isEmpty || !float.isEmpty else { continue }
                    result.append(SeriesData(labels: s.symbols.labels(of: labels), chunks: chunks, floor: s.minValidTime,
                                             histogramChunks: integer, floatHistogramChunks: float))
                    continue
                }
                guard !chunks.isEmpty else { continue }
                result.append(SeriesData(labels: s.symbols.labels(of: labels), chunks: chunks, floor: s.minValidTime))
            }
            return result
        }
        guard sorted else { return found }
        // Sorted through a permutation, comparing labels in place: moving or copying the
        // entries would retain and release their arrays at every step. Series made in label
        // order (a remote-write batch, most exposition formats) come out sorted already.
        let order = found.withUnsafeBufferPointer { entries -> [Int]? in
            guard let base = entries.baseAddress else { return nil }
            if entries.indices.dropFirst().allSatisfy({ !Self.labelsLess(base + $0, base + $0 - 1) }) { return nil }
            return entries.indices.sorted { Self.labelsLess(base + $0, base + $1) }
        }
        return order.map { $0.map { found[$0] } } ?? found
    }

    /// Where a sample at `t` stands against its series' newest sample (stored, or accepted earlier
    /// in the commit): newer is taken; at the stored newest time, the same value is a repeat
    /// (ignored, as Prometheus ignores it) and another one a duplicate; older is out of order.
    enum Admission { case newer, repeated, duplicate, outOfOrder }

    @inline(__always)
    static func admission(of t: Int64, _ hot: SeriesHot, repeatsNewest: @autoclosure () -> Bool) -> Admission {
        let newest = max(hot.maxTime, hot.pendingMaxTime)
        if t > newest { return .newer }
        guard t == newest else { return .outOfOrder }
        return t == hot.maxTime && repeatsNewest() ? .repeated : .duplicate
    }

    /// Whether a histogram sent again at the newest sample's time is the one stored (then it is
    /// ignored, as a repeated float is): compared on the chunk's layout, where extra buckets hold
    /// zero.
    private static func sameHistogram(_ stored: HistogramValue, _ incoming: HistogramValue) -> Bool {
        if stored.isIdentical(to: incoming) { return true }
        var a = stored.floatHistogram, b = incoming.floatHistogram
        a.counterResetHint = .unknown
        b.counterResetHint = .unknown
        return a.populatedBuckets == b.populatedBuckets && a.count.bitPattern == b.count.bitPattern && a.sum.bitPattern == b.sum.bitPattern
            && a.zeroCount.bitPattern == b.zeroCount.bitPattern && a.schema == b.schema && a.zeroThreshold.bitPattern == b.zeroThreshold.bitPattern
    }

    /// Label order of two entries, read through their addresses so neither is copied.
    private static func labelsLess(_ a: UnsafePointer<SeriesData>, _ b: UnsafePointer<SeriesData>) -> Bool {
        a.pointee.labels < b.pointee.labels
    }

    public func labelNames(_ matchers: [LabelMatcher]) -> [String] {
        state.withLock { s in
            if matchers.isEmpty { return s.index.labelNames }
            var names = Set<String>()
            for i in Self.matching(matchers, in: s) {
                s.series[i]?.labels.forEachName(in: s.symbols) { names.insert($0) }
            }
            return names.sorted()
        }
    }

    public func labelValues(_ name: String, _ matchers: [LabelMatcher]) -> [String] {
        state.withLock { s in
            if matchers.isEmpty { return s.index.values(of: name) }
            var values = Set<String>()
            for i in Self.matching(matchers, in: s) {
                let v = s.series[i]?.labels.value(of: name, in: s.symbols) ?? ""
                if !v.isEmpty { values.insert(v) }
            }
            return values.sorted()
        }
    }

    /// Positions in `s.series` of the live series whose labels satisfy every matcher: postings
    /// narrow, labels decide. Labels are read in place: copying a MemSeries out would retain its
    /// labels and chunks.
    private static func matching(_ matchers: [LabelMatcher], in s: borrowing State) -> [Int] {
        s.index.candidates(matchers).compactMap { ref in
            guard let i = liveSlot(of: ref, in: s), s.series[i]?.labels.matches(matchers, in: s.symbols) == true else { return nil }
            return i
        }
    }

    // MARK: Retention

    /// Drops chunks ending before `mint` and series left without chunks; returns (series, bytes) freed.
    @discardableResult
    public func truncate(before mint: Int64) -> (series: Int, bytes: Int) {
        state.withLock { s in
            var freed = 0
            var dropped = Set<SeriesRef>()
            var droppedLabels: [Labels] = []
            for i in s.series.indices {
                guard s.series[i] != nil else { continue }
                freed += s.series[i]?.dropChunks(endingBefore: mint) ?? 0
                if let series = s.series[i], series.isEmpty, s.hot[i].maxTime < mint {
                    dropped.insert(series.ref)
                    droppedLabels.append(s.symbols.labels(of: series.labels))
                    Self.free(i, in: &s)
                }
            }
            s.index.remove(dropped, labels: droppedLabels)
            if !dropped.isEmpty {
                // Strings only the dropped series used went with them: churn does not grow the tables.
                s.lookup.shrinkIfSparse()
                s.symbols.shrinkIfSparse()
            }
            return (dropped.count, freed)
        }
    }

    /// The cut-off time that brings chunk bytes under `limit` by dropping the oldest chunks.
    public func cutoffForSize(limit: Int) -> Int64? {
        state.withLock { s in
            var total = 0
            var ends: [(Int64, Int)] = []
            for series in s.series {
                guard let series else { continue }
                series.forEachChunkBounds { _, maxTime, bytes in
                    total += bytes
                    ends.append((maxTime, bytes))
                }
            }
            guard total > limit else { return nil }
            ends.sort { $0.0 < $1.0 }
            var excess = total - limit
            for (t, bytes) in ends {
                excess -= bytes
                if excess <= 0 { return t &+ 1 }
            }
            return s.maxTime &+ 1
        }
    }

    /// Bytes held in chunks.
    public var chunkBytes: Int {
        state.withLock { s in s.series.reduce(0) { $0 + ($1?.chunkBytes ?? 0) } }
    }

    // MARK: Replay, snapshots, status

    /// Restores a snapshot's series, with their chunks; returns the references that had to
    /// change (see ``restoreSeries(_:_:in:)``), for the WAL replay that follows.
    func restore(_ entries: [HeadSnapshot.Entry]) -> [SeriesRef: SeriesRef] {
        state.withLock { s in
            var remapped: [SeriesRef: SeriesRef] = [:]
            for e in entries {
                let ref = restoreSeries(e.ref, e.labels, in: &s)
                if ref != e.ref { remapped[e.ref] = ref }
                guard let idx = Self.liveSlot(of: ref, in: s) else { continue }
                s.series[idx]?.setChunks(e.chunks)
                s.series[idx]?.histogramChunks = e.histogramChunks
                s.series[idx]?.floatHistogramChunks = e.floatHistogramChunks
                if s.series[idx]?.hasUnmappedClosedChunks == true { s.unmappedSlots.append(idx) }
                s.hot[idx] = SeriesHot(ref: ref, restoring: e.chunks, histogramsUntil: s.series[idx]?.histogramMaxTime ?? .min)
                if s.hot[idx].maxTime > s.maxTime { s.maxTime = s.hot[idx].maxTime }
            }
            return remapped
        }
    }

    /// Replays the records of one WAL segment (without logging them again); series whose
    /// reference was taken are remapped through `refMap`. Returns what was read and applied.
    func replay(_ reader: inout WALSegmentReader, refMap: inout [SeriesRef: SeriesRef]) -> (records: Int, samples: Int) {
        state.withLock { s in
            var records = 0, samples = 0
            while let record = reader.next() {
                records += 1
                switch record {
                case .series(let series):
                    for rs in series {
                        let ref = restoreSeries(rs.ref, rs.labels, in: &s)
                        if ref != rs.ref { refMap[rs.ref] = ref }
                    }
                case .samples(let batch):
                    for sample in batch where replay(sample, refMap: refMap, in: &s) { samples += 1 }
                case .histograms(let batch):
                    for sample in batch where replay(sample, refMap: refMap, in: &s) { samples += 1 }
                }
            }
            return (records, samples)
        }
    }

    /// A snapshot of every series, encoded under the lock right after `cut` (which starts a new
    /// WAL segment), so it holds exactly what precedes that segment. Encoded in place: no copy of
    /// any series is made. Returns the new segment, the file's bytes and the series count.
    func encodeSnapshot(cutting cut: () throws(StorageIOError) -> Int) throws(StorageIOError) -> (segment: Int, bytes: [UInt8], series: Int) {
        try state.withLock { (s: inout State) throws(StorageIOError) -> (segment: Int, bytes: [UInt8], series: Int) in
            let segment = try cut()
            let previous = lastSnapshotBytes.load(ordering: .relaxed)
            var encoder = HeadSnapshot.Encoder(expectedBytes: max(64 + s.lookup.count * 160, previous + previous / 8), symbols: s.symbols.strings)
            for i in s.series.indices {
                guard let series = s.series[i] else { continue }
                encoder.add(ref: series.ref, labels: series.labels, mapped: series.mappedChunks, heap: series.chunks[...],
                            histograms: series.histogramChunks, floatHistograms: series.floatHistogramChunks)
            }
            let count = encoder.seriesCount
            let bytes = encoder.finish()
            lastSnapshotBytes.store(bytes.count, ordering: .relaxed)
            return (segment, bytes, count)
        }
    }

    /// Takes over everything a replay head loaded.
    func adopt(_ other: Head) {
        let taken = other.state.withLock { s in
            (s.series, s.lookup, s.index, s.symbols, s.maxTime, s.hot, s.minValidTime, s.nextGeneration)
        }
        state.withLock { s in
            s.series = taken.0
            s.hot = taken.5
            s.nextGeneration = taken.7
            Self.collectFreeSlots(in: &s)
            s.lookup = taken.1
            s.index = taken.2
            s.symbols = taken.3
            s.maxTime = taken.4
            s.minValidTime = taken.6
            s.unmappedSlots = s.series.indices.filter { s.series[$0]?.hasUnmappedClosedChunks == true }
        }
        stats.replayedSamples.store(other.stats.replayedSamples.load(ordering: .relaxed), ordering: .relaxed)
        stats.walCorruptions.store(other.stats.walCorruptions.load(ordering: .relaxed), ordering: .relaxed)
    }

    /// The top `limit` entries of each cardinality list, for `/api/v1/status/tsdb`.
    public func cardinality(limit: Int = 10) -> CardinalityStats {
        state.withLock { s in Self.cardinality(of: s, limit: limit) }
    }
}
