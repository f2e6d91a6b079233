import MetricModel

/// One series in the head: its labels and its chunks, oldest first; the last chunk is open.
struct MemSeries: Sendable {
    let ref: SeriesRef
    let labels: Labels
    var chunks: [XORChunk] = []
    /// Timestamp and value of the newest sample, for ordering and duplicate checks.
    var maxTime: Int64 = .min
    var lastValueBits: UInt64 = 0
    /// The newest timestamp accepted during the commit in progress (validation before the WAL write).
    var pendingMaxTime: Int64 = .min

    init(ref: SeriesRef, labels: Labels) {
        self.ref = ref
        self.labels = labels
    }

    var minTime: Int64 { chunks.first?.minTime ?? .max }
    var sampleCount: Int { chunks.reduce(0) { $0 + $1.count } }
    var chunkBytes: Int { chunks.reduce(0) { $0 + $1.byteCount } }

    /// Appends a sample known to be newer than ``maxTime``, cutting a chunk at the target size.
    mutating func append(t: Int64, v: Double) {
        if chunks.isEmpty || chunks[chunks.count - 1].count >= XORChunk.targetSamples {
            chunks.append(XORChunk())
        }
        chunks[chunks.count - 1].append(t: t, v: v)
        maxTime = t
        lastValueBits = v.bitPattern
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
