import Logging

/// Blocks in the data directory: opening them, cutting the head into them, deleting them.
extension Database {
    static let deletionSuffix = ".tmp-for-deletion"

    /// The blocks on disk, oldest first.
    public var blocks: [Block] { blockList.withLock { $0 } }

    /// Blocks left out of compaction because compacting them failed.
    public var failedCompactionCount: Int { failedCompactions.withLock { $0.count } }

    /// Opens every block directory of `directory` (a ULID-named directory with a `meta.json`).
    /// A block that fails to open is reported and left on disk, never served. With
    /// `removeLeftovers`, the temporary directories of an interrupted write or deletion go.
    static func openBlocks(in directory: String, removeLeftovers: Bool, logger: Logger, corruptions: inout [String]) -> [Block] {
        var blocks: [Block] = []
        for name in PosixFile.list(directory) {
            let path = directory + "/" + name
            if name.hasSuffix(BlockWriter.temporarySuffix) || name.hasSuffix(deletionSuffix) {
                if removeLeftovers {
                    logger.info("removing an unfinished block directory", metadata: ["directory": "\(path)"])
                    PosixFile.removeTree(path)
                }
                continue
            }
            guard BlockULID(name) != nil, PosixFile.isDirectory(path) else { continue }
            do {
                blocks.append(try Block(directory: path))
            } catch {
                corruptions.append("block \(path): \(error)")
                logger.error("skipping a block that does not open", metadata: ["block": "\(path)", "error": "\(error)"])
            }
        }
        return blocks.sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
    }

    /// The range of the next block to cut from the head, once the head spans one and a half
    /// block ranges (as Prometheus): the block range holding the head's oldest sample.
    func nextHeadBlockRange() -> Range<Int64>? {
        let range = options.blockRangeMs
        // Samples below the valid bound are already in a block (left by a chunk that straddled it).
        let newest = head.maxTime, oldest = max(head.minTime, head.minValidTime)
        guard newest != .min, oldest != .max, newest > oldest else { return nil }
        let (span, overflow) = newest.subtractingReportingOverflow(oldest)
        guard !overflow, span > range / 2 * 3 else { return nil }
        let start = max(BlockRange.start(of: oldest, range: range), head.minValidTime)
        return start..<BlockRange.end(of: oldest, range: range)
    }

    /// Cuts blocks out of the head while it spans more than one and a half block ranges: each is
    /// written and made durable, then added to the blocks, and only then is the head truncated
    /// and a snapshot written, so a crash at any point loses nothing. Returns the blocks written.
    @discardableResult
    public func compactHead() throws(StorageIOError) -> Int {
        var written = 0
        while let range = nextHeadBlockRange() {
            let series = head.blockSeries(mint: range.lowerBound, maxt: range.upperBound)
            if let ulid = try BlockWriter.write(series, minTime: range.lowerBound, maxTime: range.upperBound,
                                                into: directory, nowMs: options.clock.nowMs()) {
                let block: Block
                do { block = try Block(directory: directory + "/" + ulid.text) } catch {
                    throw StorageIOError(operation: "reopen the block just written (\(error))", path: directory, errno: 5 /* EIO */)
                }
                blockList.withLock { list in
                    list.append(block)
                    list.sort { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
                }
                written += 1
                logger.info("cut a block from the head", metadata: [
                    "block": "\(ulid)", "minTime": "\(range.lowerBound)", "maxTime": "\(range.upperBound)",
                    "series": "\(block.meta.stats.numSeries)", "samples": "\(block.meta.stats.numSamples)",
                ])
            }
            // Queries read the head before the block list, so between these steps they see the
            // samples twice (merged away), never not at all.
            head.raiseMinValidTime(to: range.upperBound)
            truncateHead(before: range.upperBound, rotating: true)
        }
        if written > 0 {
            // Head chunk files mostly holding chunks now in blocks: their live chunks move to the
            // current file, so the files can go (a backfill writes a day of chunks into one file,
            // whose newest chunks would otherwise keep all of it on disk).
            let rewritten = rewriteMostlyDeadHeadChunkFiles()
            // Twice: the second snapshot lets the WAL that held the samples now in blocks go at
            // once (a checkpoint keeps the snapshot before it and the segments after that one, in
            // case the newest snapshot is damaged), so the WAL stays about the head's size. Both
            // name the rewritten chunks' new places before the old files are deleted.
            try checkpoint()
            try checkpoint()
            headChunks.removeFiles(rewritten)
        }
        return written
    }

    /// Finds the finished head chunk files in which the head's chunks take less than half the
    /// bytes and brings those chunks back to the heap (the next mapping writes them to the current
    /// file). Returns the files to delete once a snapshot no longer names them.
    func rewriteMostlyDeadHeadChunkFiles() -> Set<Int> {
        let live = head.liveMappedBytesByFile()
        let candidates = Set(headChunks.finishedFileSizes().filter { number, size in
            size > HeadChunkFiles.headerSize && (live[number] ?? 0) * 2 < size
        }.keys)
        guard !candidates.isEmpty else { return [] }
        let moved = head.unmapChunks(inFiles: candidates)
        logger.info("rewriting head chunk files mostly holding chunks already in blocks", metadata: [
            "files": "\(candidates.sorted())", "live_chunks": "\(moved)",
        ])
        return candidates
    }

    /// The ranges leveled compaction builds: the block range times 3, 9, 27… up to
    /// `maxBlockRangeMs`, by default a tenth of the retention time, at most 31 days (as Prometheus).
    var compactionRanges: [Int64] {
        let thirtyOneDays: Int64 = 31 * 86_400_000
        let maxRange = options.maxBlockRangeMs ?? min(thirtyOneDays, (options.retentionTime?.milliseconds).map { $0 / 10 } ?? thirtyOneDays)
        return BlockCompactor.ranges(blockRange: options.blockRangeMs, maxRange: max(maxRange, options.blockRangeMs))
    }

    /// Compacts blocks while the plan finds a group: each new block is durable before it replaces
    /// its parents in one step (a query sees the parents or the new block, never both or neither),
    /// and the parents' directories are deleted after. Returns the blocks written.
    @discardableResult
    public func compactBlocks() -> Int {
        var written = 0
        while let group = BlockCompactor.plan(blocks, ranges: compactionRanges, skipping: failedCompactions.withLock { $0 }) {
            do {
                guard let meta = try BlockCompactor.compact(group, into: directory, nowMs: options.clock.nowMs()) else {
                    deleteBlocks(group, reason: "compacted into nothing (no series)")
                    continue
                }
                let block: Block
                do { block = try Block(directory: directory + "/" + meta.ulid) } catch {
                    throw StorageIOError(operation: "reopen the compacted block (\(error))", path: directory, errno: 5 /* EIO */)
                }
                let parents = Set(group.map(\.ulid))
                blockList.withLock { list in
                    list.removeAll { parents.contains($0.ulid) }
                    list.append(block)
                    list.sort { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
                }
                logger.info("compacted blocks", metadata: [
                    "block": "\(meta.ulid)", "level": "\(meta.compaction.level)", "parents": "\(group.map(\.ulid))",
                    "minTime": "\(meta.minTime)", "maxTime": "\(meta.maxTime)", "series": "\(meta.stats.numSeries)",
                ])
                removeDirectories(of: group)
                written += 1
            } catch {
                logger.error("block compaction failed; the blocks stay as they are", metadata: ["blocks": "\(group.map(\.ulid))", "error": "\(error)"])
                failedCompactions.withLock { $0.formUnion(group.map(\.ulid)) }
            }
        }
        return written
    }

    /// Takes blocks out of service and deletes their directories (renamed first, so a crash
    /// midway leaves a directory that is removed at the next start, never a half block).
    func deleteBlocks(_ doomed: [Block], reason: String) {
        guard !doomed.isEmpty else { return }
        let gone = Set(doomed.map(\.ulid))
        blockList.withLock { $0.removeAll { gone.contains($0.ulid) } }
        removeDirectories(of: doomed)
        for block in doomed { logger.info("deleted a block", metadata: ["block": "\(block.ulid)", "reason": "\(reason)"]) }
    }

    /// Deletes block directories already out of service: renamed first, so a crash midway leaves
    /// a directory the next start removes, never a block with files missing.
    func removeDirectories(of blocks: [Block]) {
        for block in blocks {
            let renamed = block.directory + Self.deletionSuffix
            do { try PosixFile.rename(block.directory, renamed) } catch {
                logger.error("could not delete block: \(error)")
                continue
            }
            PosixFile.removeTree(renamed)
        }
        PosixFile.syncDirectory(directory)
    }

    /// Bytes of every block on disk.
    public var blockBytes: Int { blocks.reduce(0) { $0 + $1.byteCount } }
}
