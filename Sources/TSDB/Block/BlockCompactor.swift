import MetricModel

/// Merges adjacent blocks into larger ones, as Prometheus' leveled compaction does: blocks of
/// 2 h into 6 h, those into 18 h, and so on by threes up to the largest range. Series stream
/// through in label order, chunks are copied as they are (decoded only where tombstones or
/// overlapping blocks ask for it), so memory does not grow with the blocks' size.
enum BlockCompactor {
    /// The ranges blocks are compacted into: `blockRange` times 3, 9, 27… up to `maxRange`.
    static func ranges(blockRange: Int64, maxRange: Int64) -> [Int64] {
        var out = [blockRange]
        while let last = out.last, out.count < 10 {
            let (next, overflow) = last.multipliedReportingOverflow(by: 3)
            guard !overflow, next <= maxRange else { break }
            out.append(next)
        }
        return out
    }

    /// The next group of blocks to compact, or nil. Blocks that overlap in time come first (they
    /// are merged whatever their size); otherwise, for each range from the smallest, blocks
    /// wholly inside one aligned window of it are compacted once the window is full or older than
    /// the newest block. The newest block is left out, so a backup or sidecar can ship it first.
    static func plan(_ blocks: [Block], ranges: [Int64], skipping failed: Set<String> = []) -> [Block]? {
        let sorted = blocks.filter { !failed.contains($0.ulid) }.sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
        // Overlapping blocks: the first run of blocks that overlap each other.
        var run: [Block] = []
        var end = Int64.min
        for block in sorted {
            if !run.isEmpty, block.minTime < end {
                run.append(block)
                end = max(end, block.maxTime)
            } else {
                if run.count > 1 { return run }
                run = [block]
                end = block.maxTime
            }
        }
        if run.count > 1 { return run }
        guard let newest = sorted.last else { return nil }
        let candidates = sorted.dropLast()
        for range in ranges.dropFirst() {
            var groups: [Int64: [Block]] = [:]
            for block in candidates {
                let window = BlockRange.start(of: block.minTime, range: range)
                // Only blocks that fit the window (a block already larger stays out).
                guard block.maxTime <= window + range, block.maxTime - block.minTime < range else { continue }
                groups[window, default: []].append(block)
            }
            for window in groups.keys.sorted() {
                guard let group = groups[window], group.count > 1, let first = group.first, let last = group.last else { continue }
                if last.maxTime - first.minTime == range || last.maxTime <= newest.minTime { return group }
            }
        }
        return nil
    }

    /// Writes the blocks' series into one new block under `directory`; returns its meta, or nil
    /// when the blocks hold no series at all.
    static func compact(_ blocks: [Block], into directory: String, nowMs: Int64) throws(StorageIOError) -> BlockMeta? {
        let blocks = blocks.sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
        guard let minTime = blocks.map(\.minTime).min(), let maxTime = blocks.map(\.maxTime).max() else { return nil }
        var symbols = Set<String>()
        for block in blocks { symbols.formUnion(block.index.symbolTable) }
        var builder = try BlockBuilder(directory: directory, symbols: symbols, nowMs: nowMs)
        do throws(StorageIOError) {
            var cursors = blocks.map { SeriesCursor(block: $0) }
            while let next = cursors.compactMap(\.current?.labels).min(by: IndexWriter.bytewiseLess) {
                var parts: [(Block, UInt32, [IndexWriter.ChunkMeta])] = []
                for i in cursors.indices {
                    guard let current = cursors[i].current, current.labels == next else { continue }
                    parts.append((cursors[i].block, current.id, current.chunks))
                    cursors[i].advance()
                }
                try builder.add(next, chunks: mergedChunks(parts))
            }
        } catch {
            builder.abandon()
            throw error
        }
        guard builder.seriesCount > 0 else {
            builder.abandon()
            return nil
        }
        let level = (blocks.map(\.meta.compaction.level).max() ?? 1) + 1
        let sources = Set(blocks.flatMap(\.meta.compaction.sources)).sorted()
        let parents = blocks.map { BlockMeta.Parent(ulid: $0.ulid, minTime: $0.minTime, maxTime: $0.maxTime) }
        return try builder.finish(minTime: minTime, maxTime: maxTime,
                                  compaction: BlockMeta.Compaction(level: level, sources: sources, parents: parents))
    }

    /// One series' chunks from the blocks that hold it, in time order: copied as stored when the
    /// blocks do not overlap and have no tombstones for it, otherwise decoded, merged and re-encoded.
    static func mergedChunks(_ parts: [(Block, UInt32, [IndexWriter.ChunkMeta])]) -> [BlockBuilder.EncodedChunk] {
        var raw: [BlockBuilder.EncodedChunk] = []
        var needsMerge = false
        var end = Int64.min
        for (block, id, metas) in parts {
            if block.tombstones.intervals[id] != nil { needsMerge = true }
            for m in metas {
                guard let (encoding, data) = block.chunkFiles.chunk(m.ref) else {
                    block.damagedReads.add(1, ordering: .relaxed)
                    continue
                }
                if m.minTime <= end { needsMerge = true }
                end = max(end, m.maxTime)
                raw.append(BlockBuilder.EncodedChunk(encoding: encoding, data: Array(data), minTime: m.minTime, maxTime: m.maxTime))
            }
        }
        guard needsMerge, raw.allSatisfy({ $0.encoding == ChunkSegmentWriter.xorEncoding }) else { return raw }
        // Decode, drop what tombstones delete, merge by timestamp (the older block wins a tie).
        var seriesParts: [SeriesData] = []
        for (block, id, metas) in parts {
            var chunks: [XORChunk] = []
            for m in metas {
                guard let (_, data, file) = block.chunkFiles.chunkInFile(m.ref),
                      let chunk = XORChunk(prometheusData: data, in: file, minTime: m.minTime, maxTime: m.maxTime) else { continue }
                chunks.append(chunk)
            }
            if let deleted = block.tombstones.intervals[id] { chunks = Block.removing(deleted, from: chunks) }
            if !chunks.isEmpty { seriesParts.append(SeriesData(labels: .empty, chunks: chunks[...])) }
        }
        guard let merged = StorageQuerier.merge(seriesParts) else { return [] }
        return Block.removing([], from: Array(merged.chunks)).map(BlockBuilder.EncodedChunk.init)
    }

    /// Walks one block's series in index (label) order.
    struct SeriesCursor {
        let block: Block
        private let ids: [UInt32]
        private var position = 0
        private(set) var current: (id: UInt32, labels: Labels, chunks: [IndexWriter.ChunkMeta])?

        init(block: Block) {
            self.block = block
            ids = block.index.allSeries
            load()
        }

        mutating func advance() {
            position += 1
            load()
        }

        private mutating func load() {
            current = nil
            while position < ids.count {
                if let entry = block.index.series(ids[position]) {
                    current = (ids[position], entry.labels, entry.chunks)
                    return
                }
                block.damagedReads.add(1, ordering: .relaxed)
                position += 1
            }
        }
    }
}
