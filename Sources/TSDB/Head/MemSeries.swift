import MetricModel

/// One series in the head: its labels (as ids in the head's ``SymbolTable``) and its chunks, oldest first. Full chunks written to the
/// head chunk files are kept in their compact form (``MappedHeadChunk``); the rest are on the
/// heap, and the last of those is open.
///
/// What every append reads (newest time and value) lives apart in ``SeriesHot``, so validating a
/// batch touches only plain values, never the reference-counted labels and chunks.
struct MemSeries: Sendable {
    let ref: SeriesRef
    let labels: InternedLabels
    /// Chunks in the head chunk files, oldest first; all older than ``chunks``.
    private(set) var mappedChunks: [MappedHeadChunk] = []
    /// Chunks on the heap, oldest first; the last is open.
    var chunks: [XORChunk] = []
    /// Native histogram chunks of each kind, oldest first (`MemSeries+Histograms.swift`); closed
    /// ones written to the head chunk files stay in these lists in their mapped form (sealed, only
    /// their time range and count on the heap). A series holds histograms where its float samples
    /// leave off, or only histograms: the chunks of all three kinds never overlap.
    var histogramChunks: [HistogramChunk] = []
    var floatHistogramChunks: [FloatHistogramChunk] = []
    /// Where the open chunk's block range ends: a sample at or after it starts a new chunk, so
    /// no chunk straddles two blocks and cutting a block copies chunks without re-encoding.
    private var openChunkEnd: Int64 = .min

    init(ref: SeriesRef, labels: InternedLabels) {
        self.ref = ref
        self.labels = labels
    }

    var minTime: Int64 { min(floatMinTime, histogramMinTime) }
    var maxTime: Int64 { max(floatMaxTime, histogramMaxTime) }
    /// The oldest and newest float sample times.
    var floatMinTime: Int64 { mappedChunks.first?.minTime ?? chunks.first?.minTime ?? .max }
    var floatMaxTime: Int64 { chunks.last?.maxTime ?? mappedChunks.last?.maxTime ?? .min }
    var isEmpty: Bool { chunks.isEmpty && mappedChunks.isEmpty && !hasHistograms }
    var chunkCount: Int { mappedChunks.count + chunks.count + histogramChunks.count + floatHistogramChunks.count }
    var sampleCount: Int {
        mappedChunks.reduce(0) { $0 + Int($1.sampleCount) } + chunks.reduce(0) { $0 + $1.count }
            + histogramChunks.reduce(0) { $0 + $1.count } + floatHistogramChunks.reduce(0) { $0 + $1.count }
    }
    var chunkBytes: Int {
        mappedChunks.reduce(0) { $0 + Int($1.byteCount) } + chunks.reduce(0) { $0 + $1.byteCount }
            + histogramChunks.reduce(0) { $0 + $1.byteCount } + floatHistogramChunks.reduce(0) { $0 + $1.byteCount }
    }

    /// Every chunk, oldest first, as ``XORChunk`` values (mapped ones read in place).
    var allChunks: [XORChunk] { mappedChunks.map(\.chunk) + chunks }

    /// Each chunk's time range and size without making chunk values, oldest first.
    func forEachChunkBounds(_ body: (_ minTime: Int64, _ maxTime: Int64, _ bytes: Int) -> Void) {
        for c in mappedChunks { body(c.minTime, c.maxTime, Int(c.byteCount)) }
        for i in chunks.indices { body(chunks[i].minTime, chunks[i].maxTime, chunks[i].byteCount) }
        for c in histogramChunks { body(c.minTime, c.maxTime, c.byteCount) }
        for c in floatHistogramChunks { body(c.minTime, c.maxTime, c.byteCount) }
    }

    /// The chunks that overlap `[mint, maxt]`, oldest first: a slice of the heap array (no copy)
    /// when no mapped chunk is in range, which is the case for reads of the latest minutes.
    func chunks(overlapping mint: Int64, _ maxt: Int64) -> ArraySlice<XORChunk> {
        var lo = 0, hi = chunks.count
        while lo < hi, chunks[lo].maxTime < mint { lo += 1 }
        while hi > lo, chunks[hi - 1].minTime > maxt { hi -= 1 }
        guard let newestMapped = mappedChunks.last, newestMapped.maxTime >= mint, mappedChunks[0].minTime <= maxt else {
            return chunks[lo..<hi]
        }
        var out: [XORChunk] = []
        for c in mappedChunks where c.maxTime >= mint && c.minTime <= maxt { out.append(c.chunk) }
        out.append(contentsOf: chunks[lo..<hi])
        return out[...]
    }

    /// Replaces every chunk (a restore or a deletion): the leading chunks that live in head chunk
    /// files take their compact form, the rest stay as they are.
    mutating func setChunks(_ all: [XORChunk]) {
        var mapped: [MappedHeadChunk] = []
        var firstHeap = 0
        while firstHeap < all.count, let compact = MappedHeadChunk(all[firstHeap]) {
            mapped.append(compact)
            firstHeap += 1
        }
        mappedChunks = mapped
        chunks = Array(all[firstHeap...])
        dropColdCheckpoints()
    }

    /// Moves the oldest heap chunk, when it is `written`'s original (same start and count, not the
    /// open one), to the mapped chunks as `written`. False when it is not there any more.
    mutating func moveOldestHeapChunk(to written: MappedHeadChunk) -> Bool {
        guard chunks.count > 1, chunks[0].minTime == written.minTime, chunks[0].count == Int(written.sampleCount),
              !chunks[0].isMapped, mappedChunks.last.map({ $0.maxTime < written.minTime }) ?? true else { return false }
        chunks.removeFirst()
        mappedChunks.append(written)
        return true
    }

    /// Swaps a chunk just written to a head chunk file in for its heap original; false when that is
    /// not there any more (the series truncated, or the chunk rewritten by a deletion).
    mutating func swapIn(written chunk: HeadFileChunk) -> Bool {
        switch chunk {
        case .float(let c):
            guard let compact = MappedHeadChunk(c) else { return false }
            return moveOldestHeapChunk(to: compact)
        case .histogram(let c):
            return Self.swapIn(c, into: &histogramChunks)
        case .floatHistogram(let c):
            return Self.swapIn(c, into: &floatHistogramChunks)
        }
    }

    /// Brings the mapped chunks from the first one in any of `files` on back to the heap (their bits
    /// copied), so those files can be deleted; they are written again, to the current file, by the
    /// next mapping. Histogram chunks in those files come back in place. Returns how many came back.
    mutating func unmapChunks(inFiles files: Set<Int>) -> Int {
        let histograms = Self.unmapHistogramChunks(inFiles: files, in: &histogramChunks)
            + Self.unmapHistogramChunks(inFiles: files, in: &floatHistogramChunks)
        guard let first = mappedChunks.firstIndex(where: { files.contains($0.fileNumber) }) else { return histograms }
        var copies: [XORChunk] = []
        for c in mappedChunks[first...] {
            // Prometheus' chunk data is copied onto the heap by this initializer.
            guard let copy = c.chunk.prometheusData.withUnsafeBytes({ XORChunk(prometheusData: $0, minTime: c.minTime, maxTime: c.maxTime) }) else { continue }
            copies.append(copy)
        }
        let moved = mappedChunks.count - first
        mappedChunks.removeSubrange(first...)
        chunks.insert(contentsOf: copies, at: 0)
        return moved + histograms
    }

    /// Appends a sample known to be newer than the newest one, cutting a chunk at the target size
    /// and at each multiple of `blockRange` milliseconds. Returns true when that closed a chunk
    /// (which can now be written to a head chunk file and mapped).
    @discardableResult
    mutating func append(t: Int64, v: Double, blockRange: Int64) -> Bool {
        if hasHistograms, v.isNaN, StaleNaN.isStale(v), histogramMaxTime > floatMaxTime {
            // A series that went stale after a histogram gets a histogram staleness marker.
            return appendHistogramStaleMarker(t: t, blockRange: blockRange)
        }
        var closed = false
        // A chunk whose bits live in a file, or whose encoder state is not known (read back from
        // bits alone), is never appended to: the next sample starts a chunk. Nor is one older than
        // the series' newest histogram, so chunks of different kinds never overlap.
        let last = chunks.count - 1
        if chunks.isEmpty || chunks[last].count >= XORChunk.targetSamples || t >= openChunkEnd || chunks[last].isMapped || !chunks[last].tailKnown
            || (hasHistograms && histogramMaxTime > chunks[last].maxTime) {
            closed = !chunks.isEmpty
            chunks.append(XORChunk())
            dropColdCheckpoints()
            openChunkEnd = BlockRange.end(of: t, range: blockRange)
        }
        chunks[chunks.count - 1].append(t: t, v: v)
        return closed
    }

    /// Whether a chunk before the open one (of any kind) still holds its bits on the heap.
    var hasUnmappedClosedChunks: Bool {
        chunks.count > 1 || histogramChunks.dropLast().contains { !$0.isMapped } || floatHistogramChunks.dropLast().contains { !$0.isMapped }
    }

    /// Head chunk file number and record size of every chunk of the series in those files.
    func forEachMappedRecord(_ body: (_ file: Int, _ bytes: Int) -> Void) {
        for c in mappedChunks { body(c.fileNumber, c.recordBytes) }
        for c in histogramChunks { if let m = c.mapped { Self.mappedRecord(m, body) } }
        for c in floatHistogramChunks { if let m = c.mapped { Self.mappedRecord(m, body) } }
    }

    /// Keeps decoder checkpoints only in the open chunk and the one before it, which reads of
    /// the latest minutes (instant queries, rules) touch; older chunks are read whole anyway.
    mutating func dropColdCheckpoints() {
        for i in chunks.indices.dropLast(2) where !chunks[i].checkpoints.isEmpty {
            chunks[i].dropCheckpoints()
        }
    }

    /// Drops chunks that end before `mint`; returns the bytes freed.
    mutating func dropChunks(endingBefore mint: Int64) -> Int {
        var freed = 0
        var keepMapped = 0
        while keepMapped < mappedChunks.count, mappedChunks[keepMapped].maxTime < mint {
            freed += Int(mappedChunks[keepMapped].byteCount)
            keepMapped += 1
        }
        if keepMapped > 0 { mappedChunks.removeFirst(keepMapped) }
        var keepFrom = 0
        while keepFrom < chunks.count, chunks[keepFrom].maxTime < mint {
            freed += chunks[keepFrom].byteCount
            keepFrom += 1
        }
        if keepFrom > 0 { chunks.removeFirst(keepFrom) }
        freed += Self.dropChunks(endingBefore: mint, from: &histogramChunks)
        freed += Self.dropChunks(endingBefore: mint, from: &floatHistogramChunks)
        Self.shrinkIfSparse(&mappedChunks)
        Self.shrinkIfSparse(&chunks)
        Self.shrinkIfSparse(&histogramChunks)
        Self.shrinkIfSparse(&floatHistogramChunks)
        return freed
    }

    /// Gives back a chunk list's spare room once it holds less than half of it. Removing chunks
    /// keeps an array's capacity, so a series whose head once spanned many hours (a backfill, a
    /// block cut that came late) would hold that much room for good; the head's memory follows
    /// what it holds now instead. Called where chunks are dropped (after a block cut, retention).
    static func shrinkIfSparse<T>(_ list: inout [T]) {
        guard list.capacity > 2 * list.count + 2 else { return }
        var compact: [T] = []
        compact.reserveCapacity(list.count)
        compact.append(contentsOf: list)
        list = compact
    }
}

/// The per-series values every append checks, kept in a plain array beside the series.
struct SeriesHot: Sendable {
    /// The reference of the series in this slot; 0 when the slot is empty.
    var ref: SeriesRef = 0
    /// Timestamp and value of the newest stored sample, for ordering and duplicate checks.
    var maxTime: Int64 = .min
    var lastValueBits: UInt64 = 0
    /// The newest timestamp accepted in the commit in progress (validated before the WAL write).
    var pendingMaxTime: Int64 = .min

    init() {}

    /// The state of a series restored with these chunks.
    init(ref: SeriesRef, restoring chunks: [XORChunk]) {
        self.ref = ref
        guard let last = chunks.last?.lastSample else { return }
        maxTime = last.t
        lastValueBits = last.v.bitPattern
    }

    /// The state of a series restored with these chunks: the newest sample of any kind. After a
    /// histogram the value bits are a staleness marker's, which no float sample at the same time
    /// matches except a marker (`Head.commit` compares histograms themselves).
    init(ref: SeriesRef, restoring chunks: [XORChunk], histogramsUntil histogramMaxTime: Int64) {
        self.init(ref: ref, restoring: chunks)
        if histogramMaxTime > maxTime {
            maxTime = histogramMaxTime
            lastValueBits = StaleNaN.bits
        }
    }
}
