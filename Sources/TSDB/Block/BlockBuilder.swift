import MetricModel

/// Writes one block directory series by series, so a compaction of large blocks streams through
/// memory instead of holding them: chunks go to the segment files as they come, the index is
/// built as series are added (in label order), and ``finish(minTime:maxTime:compaction:)``
/// makes the block durable and renames it into place.
///
/// The block is built in `<ulid>.tmp-for-creation`; a crash leaves either no block or a whole one,
/// and a leftover temporary directory is removed when the database next opens.
struct BlockBuilder {
    static let temporarySuffix = ".tmp-for-creation"

    let directory: String
    let ulid: BlockULID
    private let temporary: String
    private var chunkWriter: ChunkSegmentWriter
    private var index: IndexWriter
    private var stats = BlockMeta.Stats()

    /// Starts a block under `directory` whose series use only strings from `symbols`.
    init(directory: String, symbols: Set<String>, nowMs: Int64) throws(StorageIOError) {
        self.directory = directory
        ulid = BlockULID(timestampMs: nowMs)
        temporary = directory + "/" + ulid.text + Self.temporarySuffix
        PosixFile.removeTree(temporary)
        try PosixFile.makeDirectories(temporary)
        do {
            chunkWriter = try ChunkSegmentWriter(directory: temporary + "/chunks")
        } catch {
            PosixFile.removeTree(temporary)
            throw error
        }
        index = IndexWriter(symbols: symbols)
    }

    /// A chunk as stored: its encoding byte and data (sample count first, big-endian 16 bits).
    struct EncodedChunk {
        var encoding: UInt8
        var data: [UInt8]
        var minTime: Int64
        var maxTime: Int64

        init(encoding: UInt8, data: [UInt8], minTime: Int64, maxTime: Int64) {
            self.encoding = encoding
            self.data = data
            self.minTime = minTime
            self.maxTime = maxTime
        }

        init(_ chunk: XORChunk) {
            self.init(encoding: ChunkSegmentWriter.xorEncoding, data: chunk.prometheusData, minTime: chunk.minTime, maxTime: chunk.maxTime)
        }

        init<C: HistogramChunkEncoding>(_ chunk: C) {
            self.init(encoding: C.encoding, data: chunk.prometheusData, minTime: chunk.minTime, maxTime: chunk.maxTime)
        }

        var sampleCount: Int { data.count >= 2 ? Int(data[0]) << 8 | Int(data[1]) : 0 }
    }

    /// Adds the next series (ascending label order, see ``IndexWriter/bytewiseLess(_:_:)-(Labels,Labels)``)
    /// with its chunks in time order. A series without chunks is skipped.
    mutating func add(_ labels: Labels, chunks: [EncodedChunk]) throws(StorageIOError) {
        guard !chunks.isEmpty else { return }
        var metas: [IndexWriter.ChunkMeta] = []
        metas.reserveCapacity(chunks.count)
        for c in chunks {
            let ref = try chunkWriter.append(encoding: c.encoding, data: c.data)
            metas.append(IndexWriter.ChunkMeta(minTime: c.minTime, maxTime: c.maxTime, ref: ref))
            stats.numSamples += UInt64(c.sampleCount)
        }
        guard index.addSeries(labels, chunks: metas) else {
            throw StorageIOError(operation: "write block index (over 64 GiB)", path: temporary, errno: 27 /* EFBIG */)
        }
        stats.numSeries += 1
        stats.numChunks += UInt64(metas.count)
    }

    /// Series added so far.
    var seriesCount: UInt64 { stats.numSeries }

    /// Writes the index, tombstones and meta, fsyncs everything and renames the block into place.
    mutating func finish(minTime: Int64, maxTime: Int64, compaction: BlockMeta.Compaction?) throws(StorageIOError) -> BlockMeta {
        do throws(StorageIOError) {
            try chunkWriter.finish()
            try PosixFile.writeDurably(index.finish(), to: temporary + "/index")
            try Tombstones().write(directory: temporary)
            let meta = BlockMeta(ulid: ulid.text, minTime: minTime, maxTime: maxTime, stats: stats,
                                 compaction: compaction ?? BlockMeta.Compaction(level: 1, sources: [ulid.text]))
            try meta.write(directory: temporary)
            PosixFile.syncDirectory(temporary + "/chunks")
            PosixFile.syncDirectory(temporary)
            try PosixFile.rename(temporary, directory + "/" + ulid.text)
            PosixFile.syncDirectory(directory)
            return meta
        } catch {
            abandon()
            throw error
        }
    }

    /// Removes the unfinished block.
    func abandon() { PosixFile.removeTree(temporary) }
}
