import MetricModel
import Synchronization

/// An immutable block on disk in Prometheus' format: its `meta.json`, mapped index and chunk
/// segments, and tombstones. Reads come straight from the mappings; a damaged series or chunk is
/// skipped and counted, never served.
public final class Block: Sendable, Querier {
    public let directory: String
    public let meta: BlockMeta
    let index: IndexReader
    let chunkFiles: ChunkSegmentReader
    let tombstones: Tombstones
    /// Series entries or chunks that failed their checksum or decoding, and chunks of encodings
    /// Vigil does not know (neither XOR nor integer or float histogram), seen by queries so far.
    public let damagedReads = Atomic<Int>(0)
    public let unsupportedChunks = Atomic<Int>(0)

    /// Opens the block in `directory`, checking its meta, index header and chunk segments.
    public init(directory: String) throws(BlockError) {
        self.directory = directory
        meta = try BlockMeta.read(directory: directory)
        let indexFile: MappedFile
        do { indexFile = try MappedFile(path: directory + "/index") } catch { throw .io(error) }
        index = try IndexReader(file: indexFile)
        chunkFiles = try ChunkSegmentReader(directory: directory + "/chunks")
        tombstones = try Tombstones.read(directory: directory)
    }

    public var ulid: String { meta.ulid }
    public var minTime: Int64 { meta.minTime }
    /// The end of the block's range (exclusive).
    public var maxTime: Int64 { meta.maxTime }

    /// Bytes of the block's files on disk.
    public var byteCount: Int {
        index.file.count + chunkFiles.byteCount + (PosixFile.size(directory + "/" + Tombstones.fileName) ?? 0)
            + (PosixFile.size(directory + "/" + BlockMeta.fileName) ?? 0)
    }

    // MARK: Querier

    public func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64, sorted: Bool) -> [SeriesData] {
        guard mint < meta.maxTime, maxt >= meta.minTime else { return [] }
        var result: [SeriesData] = []
        for id in index.candidates(matchers) {
            guard let entry = index.series(id) else {
                damagedReads.add(1, ordering: .relaxed)
                continue
            }
            guard entry.labels.matches(matchers) else { continue }
            var chunks: [XORChunk] = []
            var histograms: [HistogramChunk] = [], floatHistograms: [FloatHistogramChunk] = []
            for m in entry.chunks where m.maxTime >= mint && m.minTime <= maxt {
                guard let (encoding, data, file) = chunkFiles.chunkInFile(m.ref) else {
                    damagedReads.add(1, ordering: .relaxed)
                    continue
                }
                var readable = true
                switch encoding {
                case ChunkSegmentWriter.xorEncoding:
                    if let chunk = XORChunk(prometheusData: data, in: file, minTime: m.minTime, maxTime: m.maxTime) { chunks.append(chunk) } else { readable = false }
                case HistogramChunk.encoding:
                    if let chunk = HistogramChunk(prometheusData: data, minTime: m.minTime, maxTime: m.maxTime) { histograms.append(chunk) } else { readable = false }
                case FloatHistogramChunk.encoding:
                    if let chunk = FloatHistogramChunk(prometheusData: data, minTime: m.minTime, maxTime: m.maxTime) { floatHistograms.append(chunk) } else { readable = false }
                default:
                    unsupportedChunks.add(1, ordering: .relaxed)
                }
                if !readable { damagedReads.add(1, ordering: .relaxed) }
            }
            if let deleted = tombstones.intervals[id] {
                chunks = Self.removing(deleted, from: chunks)
                histograms = HistogramChunk.removing(deleted, from: histograms)
                floatHistograms = FloatHistogramChunk.removing(deleted, from: floatHistograms)
            }
            if !chunks.isEmpty || !histograms.isEmpty || !floatHistograms.isEmpty {
                result.append(SeriesData(labels: entry.labels, chunks: chunks[...], histogramChunks: histograms, floatHistogramChunks: floatHistograms))
            }
        }
        // The index holds series in label order already.
        return result
    }

    public func labelNames(_ matchers: [LabelMatcher]) -> [String] {
        if matchers.isEmpty { return index.labelNames }
        var names = Set<String>()
        for id in index.candidates(matchers) {
            guard let entry = index.series(id), entry.labels.matches(matchers) else { continue }
            for l in entry.labels.pairs { names.insert(l.name) }
        }
        return names.sorted()
    }

    public func labelValues(_ name: String, _ matchers: [LabelMatcher]) -> [String] {
        if matchers.isEmpty { return index.values(of: name) }
        var values = Set<String>()
        for id in index.candidates(matchers) {
            guard let entry = index.series(id), entry.labels.matches(matchers) else { continue }
            let v = entry.labels[name]
            if !v.isEmpty { values.insert(v) }
        }
        return values.sorted()
    }

    /// Every series with all its chunks (for compaction and `vigil tsdb`), in label order.
    func allSeries() -> [BlockWriter.Series] {
        select([], mint: .min, maxt: .max, sorted: true).map { BlockWriter.Series(labels: $0.labels, chunks: Array($0.chunks)) }
    }

    /// The chunks re-encoded without the samples inside `deleted`.
    static func removing(_ deleted: [ClosedRange<Int64>], from chunks: [XORChunk]) -> [XORChunk] {
        var out: [XORChunk] = []
        var current = XORChunk()
        for chunk in chunks {
            var times: [Int64] = [], values: [Double] = []
            chunk.appendSamples(mint: .min, maxt: .max, times: &times, values: &values)
            for (t, v) in zip(times, values) where !deleted.contains(where: { $0.contains(t) }) {
                if current.count > 0, t <= current.maxTime { continue }
                if current.count >= XORChunk.targetSamples {
                    out.append(current)
                    current = XORChunk()
                }
                current.append(t: t, v: v)
            }
        }
        if current.count > 0 { out.append(current) }
        for i in out.indices { out[i].dropCheckpoints() }
        return out
    }
}
