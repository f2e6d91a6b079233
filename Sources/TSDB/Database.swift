import Logging
import MetricModel
import Synchronization

/// Options for opening a ``Database``.
public struct DatabaseOptions: Sendable {
    /// Samples older than this (relative to the newest sample) are dropped; nil keeps everything.
    public var retentionTime: PromDuration? = PromDuration(milliseconds: 15 * 86_400_000)
    /// Chunk bytes plus WAL bytes above this drop the oldest chunks; nil for no limit.
    public var retentionSize: Int?
    public var walSegmentSize = 128 << 20
    public var walFsync: WALFsyncPolicy = .interval(.seconds(10))
    /// Snappy-compresses WAL records (Prometheus' `--storage.tsdb.wal-compression`, on by default).
    public var walCompression = true
    /// A snapshot is written once this many WAL segments accumulate (besides the periodic one).
    public var snapshotAfterSegments = 2
    /// Samples more than this many milliseconds ahead of `clock` are refused as out of bounds, so
    /// one sample from a target with a wrong clock cannot move "now" for retention and wipe the
    /// history; nil accepts any time within ``Milliseconds`` bounds.
    public var tooFarInFutureMs: Int64? = 10 * 60_000
    /// The clock the future bound is measured against.
    public var clock: any WallClock = SystemWallClock()
    /// The range of a block cut from the head (Prometheus' `--storage.tsdb.min-block-duration`):
    /// the head is cut once it spans one and a half of these.
    public var blockRangeMs: Int64 = BlockRange.defaultMs
    /// The largest block compaction makes (`--storage.tsdb.max-block-duration`); nil for
    /// Prometheus' default, a tenth of the retention time capped at 31 days.
    public var maxBlockRangeMs: Int64?
    /// The size at which a head chunk file is full and the next one begun.
    public var headChunkFileSize = HeadChunkFiles.defaultFileSize
    /// Shorter retentions for the series some selectors pick, applied at maintenance.
    public var retentionRules: [RetentionRule] = []

    public init() {}
}

/// The durable time-series database: blocks on disk in Prometheus' format, the head holding the
/// newest hours, its WAL under `<dir>/vigil-wal`, and snapshots that keep replay short. Opening maps the
/// blocks, then replays the newest valid snapshot and the WAL segments after it.
public final class Database: Sendable {
    public let directory: String
    public let head: Head
    public let options: DatabaseOptions
    let wal: WAL
    /// Full head chunks, written out and mapped (`vigil-chunks_head/`).
    public let headChunks: HeadChunkFiles
    let logger: Logger
    /// The oldest WAL segment each reader of the WAL (a remote-write queue) still needs.
    private let walReaders = Mutex<[String: Int]>([:])
    /// The blocks on disk, oldest first; replaced as a whole when blocks are cut, compacted or deleted.
    let blockList: Mutex<[Block]>
    /// Blocks whose compaction failed (a damaged file): left as they are, not tried again.
    let failedCompactions = Mutex<Set<String>>([])

    /// What replay found, for logs and tests.
    public struct ReplayReport: Sendable {
        public var blocks = 0
        /// Samples loaded from a Prometheus WAL (`wal/` of a Prometheus data directory).
        public var prometheusWALSamples = 0
        public var snapshotSeries = 0
        /// Chunks a snapshot named that the head chunk files no longer hold (left out).
        public var missingHeadChunks = 0
        public var walRecords = 0
        public var samples = 0
        public var corruptions: [String] = []
    }

    public let replayReport: ReplayReport

    public var walDirectory: String { directory + "/" + Self.walDirectoryName }

    /// Vigil's WAL has a directory of its own: `wal/` is Prometheus' (another format), which
    /// Prometheus' tools open and repair, and which a Prometheus data directory Vigil is started
    /// on already holds.
    public static let walDirectoryName = "vigil-wal"

    /// Where full head chunks are written (Prometheus' `chunks_head/` holds its own, in the same
    /// layout but named by the series of its WAL).
    public static let headChunksDirectoryName = "vigil-chunks_head"

    /// Opens (creating if needed) the database at `directory` and replays it.
    /// `progress` is updated as the WAL is replayed, for the status API while this runs.
    public init(directory: String, options: DatabaseOptions = DatabaseOptions(), logger: Logger = Logger(label: "vigil.tsdb"),
                fsyncObserver: (@Sendable (Double) -> Void)? = nil, progress: WALReplayProgress = WALReplayProgress()) throws(StorageIOError) {
        self.directory = directory
        self.options = options
        self.logger = logger
        WALLocation.moveLegacyWAL(in: directory, logger: logger)
        let walDir = directory + "/" + Self.walDirectoryName
        try PosixFile.makeDirectories(walDir)
        // An empty `wal/` tells Prometheus' tools (`promtool tsdb dump`) there is no head to load.
        try PosixFile.makeDirectories(directory + "/wal")
        var blockCorruptions: [String] = []
        let blocks = Self.openBlocks(in: directory, removeLeftovers: true, logger: logger, corruptions: &blockCorruptions)
        blockList = Mutex(blocks)
        headChunks = try HeadChunkFiles(directory: directory + "/" + Self.headChunksDirectoryName, fileSize: options.headChunkFileSize, logger: logger)
        // Replay happens before the WAL is opened for writing, through a head without a WAL.
        // Samples the blocks already hold are skipped.
        let replayHead = Head(wal: nil, logger: logger, blockRange: options.blockRangeMs)
        if let covered = blocks.map(\.maxTime).max() { replayHead.raiseMinValidTime(to: covered) }
        var report = Self.replay(into: replayHead, directory: directory, walDirectory: walDir, headChunks: headChunks, repair: true,
                                 logger: logger, progress: progress)
        // Started on a Prometheus data directory: its head, from Prometheus' WAL.
        let imported = PrometheusWALImport.run(into: replayHead, directory: directory, vigilWALDirectory: walDir, logger: logger)
        report.prometheusWALSamples = imported.samples
        report.samples += imported.samples
        progress.finish(samples: report.samples)
        report.corruptions += imported.problems.map { "Prometheus WAL \($0)" }
        report.blocks = blocks.count
        report.corruptions += blockCorruptions
        self.replayReport = report
        self.wal = try WAL(directory: walDir, segmentSize: options.walSegmentSize, fsyncPolicy: options.walFsync, compression: options.walCompression,
                           logger: logger, fsyncObserver: fsyncObserver)
        self.head = Head(wal: wal, logger: logger, futureBound: options.tooFarInFutureMs.map { (options.clock, $0) },
                         blockRange: options.blockRangeMs)
        head.adopt(replayHead)
        // A snapshot taken before the last block was cut still holds that block's chunks.
        truncateHead(before: head.minValidTime)
        if let last = imported.lastSegment {
            // What came from Prometheus' WAL is in no WAL of Vigil's: a snapshot makes it durable
            // before the marker says it need not be read again.
            if imported.samples > 0 { try checkpoint() }
            try PrometheusWALImport.markImported(upTo: last, vigilWALDirectory: walDir)
            logger.info("imported Prometheus' WAL", metadata: [
                "series": "\(imported.series)", "samples": "\(imported.samples)", "through_segment": "\(last)",
            ])
        }
    }

    /// Loads a database without writing anything (no repair, no new segment): for offline tools
    /// that may run beside a live server.
    public static func readOnly(directory: String, logger: Logger = Logger(label: "vigil.tsdb")) -> (any Querier, ReplayReport) {
        var corruptions: [String] = []
        let blocks = openBlocks(in: directory, removeLeftovers: false, logger: logger, corruptions: &corruptions)
        let head = Head(wal: nil, logger: logger)
        if let covered = blocks.map(\.maxTime).max() { head.raiseMinValidTime(to: covered) }
        let walDir = directory + "/" + (PosixFile.exists(directory + "/" + walDirectoryName) || !WALLocation.holdsVigilWAL(directory + "/wal")
            ? walDirectoryName : "wal")
        let headChunks = try? HeadChunkFiles(directory: directory + "/" + headChunksDirectoryName, readOnly: true, logger: logger)
        var report = replay(into: head, directory: directory, walDirectory: walDir, headChunks: headChunks, repair: false, logger: logger)
        // A Prometheus data directory Vigil has not imported yet: its head, from its WAL.
        let imported = PrometheusWALImport.run(into: head, directory: directory,
                                               vigilWALDirectory: directory + "/" + walDirectoryName, logger: logger)
        report.prometheusWALSamples = imported.samples
        report.samples += imported.samples
        report.corruptions += imported.problems.map { "Prometheus WAL \($0)" }
        head.truncate(before: head.minValidTime)
        report.blocks = blocks.count
        report.corruptions += corruptions
        return (StorageQuerier(blocks: blocks, head: head), report)
    }

    private static func replay(into head: Head, directory: String, walDirectory: String, headChunks: HeadChunkFiles?, repair: Bool,
                               logger: Logger, progress: WALReplayProgress = WALReplayProgress()) -> ReplayReport {
        progress.begin()
        var report = ReplayReport()
        // Newest valid snapshot first.
        let snapshots = PosixFile.list(directory).compactMap { HeadSnapshot.segment(ofFile: $0) }.sorted(by: >)
        var firstSegment = 0
        var snapshotRefs: [SeriesRef: SeriesRef] = [:]
        for seg in snapshots {
            let path = directory + "/" + HeadSnapshot.fileName(seg)
            do {
                let (entries, missing) = try HeadSnapshot.read(path) { headChunks?.chunk(at: $0) }
                snapshotRefs = head.restore(entries)
                report.snapshotSeries = entries.count
                if missing > 0 {
                    report.missingHeadChunks = missing
                    report.corruptions.append("snapshot \(path): \(missing) chunks missing from the head chunk files")
                    logger.error("head chunks named by the snapshot are missing or damaged; their samples are lost",
                                 metadata: ["file": "\(path)", "chunks": "\(missing)"])
                }
                firstSegment = seg
                logger.info("loaded head snapshot", metadata: ["file": "\(path)", "series": "\(entries.count)"])
                break
            } catch {
                report.corruptions.append("snapshot \(path): \(error)")
                logger.error("skipping unreadable snapshot", metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
        var refMap = snapshotRefs
        let segments = WAL.segments(in: walDirectory).filter { $0 >= firstSegment }
        progress.planned(segments: segments.first.flatMap { first in segments.last.map { first...$0 } })
        for seg in segments {
            progress.replaying(segment: seg, samplesSoFar: report.samples)
            let path = walDirectory + "/" + WAL.segmentName(seg)
            var reader: WALSegmentReader
            do { reader = try WALSegmentReader(path: path) } catch {
                report.corruptions.append("\(error)")
                continue
            }
            let replayed = head.replay(&reader, refMap: &refMap)
            report.walRecords += replayed.records
            report.samples += replayed.samples
            if let stop = reader.stop, repair {
                // Keep every complete record; cut the file where the damage starts.
                report.corruptions.append("\(path): \(stop)")
                logger.warning("truncating damaged WAL segment", metadata: ["segment": "\(path)", "problem": "\(stop)"])
                do { try PosixFile.truncate(path, to: stop.offset) } catch {
                    logger.error("could not truncate WAL segment: \(error)")
                }
            } else if let stop = reader.stop {
                report.corruptions.append("\(path): \(stop)")
            }
        }
        head.stats.replayedSamples.add(report.samples, ordering: .relaxed)
        head.stats.walCorruptions.add(report.corruptions.count, ordering: .relaxed)
        return report
    }

    // MARK: Maintenance

    /// Writes a snapshot of the head and deletes what the one before it covers.
    ///
    /// One generation is kept: the previous snapshot and the WAL segments after it stay until
    /// the next checkpoint, so if the new snapshot is ever damaged (a bit flip, a bad disk
    /// block), replay falls back to the previous one plus those segments and loses nothing.
    ///
    /// `durable: false` (at shutdown) skips the fsyncs of the snapshot and deletes nothing: the WAL
    /// is synced as it closes and every older snapshot and segment stays, so a snapshot damaged
    /// by a crash right after costs only the quicker start it was for.
    public func checkpoint(durable: Bool = true) throws(StorageIOError) {
        // Full chunks out to their files first, so the snapshot holds only open chunks; the files
        // are fsynced before a snapshot names them.
        try head.mapFullChunks(to: headChunks)
        // Cut under the head lock, so the snapshot holds exactly what precedes the new segment.
        let wal = self.wal
        let (segment, bytes, seriesCount) = try head.encodeSnapshot(cutting: { () throws(StorageIOError) in try wal.cut() })
        try headChunks.sync()
        let path = directory + "/" + HeadSnapshot.fileName(segment)
        try HeadSnapshot.write(bytes, to: path, directory: directory, durable: durable)
        // A snapshot that may not be on disk yet replaces nothing: the older ones and the WAL
        // after them stay until a durable one covers them.
        guard durable else { return }
        let older = PosixFile.list(directory).compactMap { HeadSnapshot.segment(ofFile: $0) }.filter { $0 < segment }
        let keepFrom = older.max() ?? 0
        for seg in older where seg < keepFrom { PosixFile.remove(directory + "/" + HeadSnapshot.fileName(seg)) }
        // Segments a remote-write queue has not sent yet stay, whatever the snapshot covers.
        let needed = walReaders.withLock { $0.values.min() }
        wal.removeSegments(before: min(keepFrom, needed ?? keepFrom))
        logger.debug("checkpoint written", metadata: ["segment": "\(segment)", "series": "\(seriesCount)"])
    }

    /// Writes everything stored now into `target` as a data directory of its own, in Prometheus'
    /// format: every block hard-linked (no copy), and the head written as one more block. Vigil,
    /// Prometheus and promtool all open it: the admin API's snapshot. Nothing live is changed.
    public func backup(to target: String) throws(StorageIOError) {
        try PosixFile.makeDirectories(target + "/wal")
        // The head before the block list, as queries read: a block cut meanwhile is then linked
        // too (its samples twice, merged on read), never missed.
        let headStart = max(head.minTime, head.minValidTime), headEnd = head.maxTime
        let headSeries = headEnd >= headStart ? head.blockSeries(mint: headStart, maxt: headEnd &+ 1) : []
        for block in blocks {
            let name = block.directory.split(separator: "/").last.map(String.init) ?? block.ulid
            try PosixFile.linkTree(block.directory, to: target + "/" + name)
        }
        _ = try BlockWriter.write(headSeries, minTime: headStart, maxTime: headEnd &+ 1, into: target, nowMs: options.clock.nowMs())
        PosixFile.syncDirectory(target)
    }

    /// Whether enough WAL has accumulated since the last snapshot to write another (segments
    /// kept for remote write do not count).
    public var needsCheckpoint: Bool {
        let latest = PosixFile.list(directory).compactMap { HeadSnapshot.segment(ofFile: $0) }.max() ?? 0
        return WAL.segments(in: walDirectory).filter { $0 >= latest }.count > options.snapshotAfterSegments
    }

    /// Records that the reader `name` still needs the WAL from `segment` on (nil: no longer
    /// reading), so checkpoints keep those segments.
    public func retainWAL(from segment: Int?, for name: String) {
        walReaders.withLock { $0[name] = segment }
    }

    /// The segment the WAL is being written to.
    public var currentWALSegment: Int { wal.currentSegment }

    /// Applies time and size retention: whole blocks past the retention time or over the size
    /// limit are deleted, oldest first, then the head's oldest chunks if it alone is over.
    /// Returns the series dropped from the head.
    @discardableResult
    public func applyRetention() -> Int {
        var dropped = 0
        let blocks = self.blocks
        // A block's maxTime is exclusive: its newest sample is at most one millisecond before.
        let newest = max(head.maxTime, blocks.map { $0.maxTime - 1 }.max() ?? .min)
        if let rt = options.retentionTime, newest != .min {
            let cutoff = newest &- rt.milliseconds
            deleteBlocks(blocks.filter { $0.maxTime <= cutoff }, reason: "retention time")
            dropped += truncateHead(before: cutoff)
        }
        if let limit = options.retentionSize {
            var remaining = self.blocks
            var total = wal.totalBytes + head.chunkBytes + remaining.reduce(0) { $0 + $1.byteCount }
            var doomed: [Block] = []
            while total > limit, !remaining.isEmpty {
                let oldest = remaining.removeFirst()
                total -= oldest.byteCount
                doomed.append(oldest)
            }
            deleteBlocks(doomed, reason: "retention size")
            let budget = max(0, limit - wal.totalBytes - remaining.reduce(0) { $0 + $1.byteCount })
            if let cutoff = head.cutoffForSize(limit: budget) {
                dropped += truncateHead(before: cutoff)
            }
        }
        return dropped
    }

    /// Drops the head's chunks that end before `mint` (and series left empty), then the head chunk
    /// files that held only such chunks; `rotating` (after a block cut) begins a new chunk file.
    /// Returns the series dropped.
    @discardableResult
    func truncateHead(before mint: Int64, rotating: Bool = false) -> Int {
        let dropped = head.truncate(before: mint).series
        headChunks.removeFiles(endingBefore: mint, rotating: rotating)
        return dropped
    }

    /// Writes the head's full chunks to the head chunk files and maps them (the storage service
    /// calls this every few seconds). Returns the chunks moved off the heap.
    @discardableResult
    public func mapHeadChunks() throws(StorageIOError) -> Int { try head.mapFullChunks(to: headChunks) }

    /// Bytes of WAL segments on disk.
    public var walBytes: Int { wal.totalBytes }

    /// fsyncs the WAL (periodic policy and shutdown).
    public func syncWAL() throws(StorageIOError) { try wal.sync() }

    /// Flushes and closes the WAL; the database is read-only afterwards.
    public func close() {
        wal.close()
        headChunks.close()
    }
}
