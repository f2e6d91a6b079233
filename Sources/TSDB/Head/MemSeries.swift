import MetricModel

/// One series in the head: its labels and its chunks, oldest first; the last chunk is open.
///
/// What every append reads (newest time and value) lives apart in ``SeriesHot``, so validating a
/// batch touches only plain values, never the reference-counted labels and chunks.
struct MemSeries: Sendable {
    let ref: SeriesRef
    let labels: Labels
    var chunks: [XORChunk] = []
    /// Where the open chunk's block range ends: a sample at or after it starts a new chunk, so
    /// no chunk straddles two blocks and cutting a block copies chunks without re-encoding.
    private var openChunkEnd: Int64 = .min

    init(ref: SeriesRef, labels: Labels) {
        self.ref = ref
        self.labels = labels
    }

    var minTime: Int64 { chunks.first?.minTime ?? .max }
    var maxTime: Int64 { chunks.last?.maxTime ?? .min }
    var sampleCount: Int { chunks.reduce(0) { $0 + $1.count } }
    var chunkBytes: Int { chunks.reduce(0) { $0 + $1.byteCount } }

    /// Appends a sample known to be newer than the newest one, cutting a chunk at the target size
    /// and at each multiple of `blockRange` milliseconds.
    mutating func append(t: Int64, v: Double, blockRange: Int64) {
        if chunks.isEmpty || chunks[chunks.count - 1].count >= XORChunk.targetSamples || t >= openChunkEnd {
            chunks.append(XORChunk())
            dropColdCheckpoints()
            openChunkEnd = BlockRange.end(of: t, range: blockRange)
        }
        chunks[chunks.count - 1].append(t: t, v: v)
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
        var keepFrom = 0
        while keepFrom < chunks.count, chunks[keepFrom].maxTime < mint {
            freed += chunks[keepFrom].byteCount
            keepFrom += 1
        }
        if keepFrom > 0 { chunks.removeFirst(keepFrom) }
        return freed
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
}
