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
    /// A snapshot is written once this many WAL segments accumulate (besides the periodic one).
    public var snapshotAfterSegments = 2
    /// Samples more than this many milliseconds ahead of `clock` are refused as out of bounds, so
    /// one sample from a target with a wrong clock cannot move "now" for retention and wipe the
    /// history; nil accepts any time within ``Milliseconds`` bounds.
    public var tooFarInFutureMs: Int64? = 10 * 60_000
    /// The clock the future bound is measured against.
    public var clock: any WallClock = SystemWallClock()

    public init() {}
}

/// The durable time-series database: the head, its WAL under `<dir>/wal`, and snapshots that keep
/// replay short. Opening replays the newest valid snapshot and the WAL segments after it.
public final class Database: Sendable {
    public let directory: String
    public let head: Head
    public let options: DatabaseOptions
    let wal: WAL
    private let logger: Logger
    /// The oldest WAL segment each reader of the WAL (a remote-write queue) still needs.
    private let walReaders = Mutex<[String: Int]>([:])

    /// What replay found, for logs and tests.
    public struct ReplayReport: Sendable {
        public var snapshotSeries = 0
        public var walRecords = 0
        public var samples = 0
        public var corruptions: [String] = []
    }

    public let replayReport: ReplayReport

    public var walDirectory: String { directory + "/wal" }

    /// Opens (creating if needed) the database at `directory` and replays it.
    public init(directory: String, options: DatabaseOptions = DatabaseOptions(), logger: Logger = Logger(label: "vigil.tsdb"),
                fsyncObserver: (@Sendable (Double) -> Void)? = nil) throws(StorageIOError) {
        self.directory = directory
        self.options = options
        self.logger = logger
        try PosixFile.makeDirectories(directory + "/wal")
        let walDir = directory + "/wal"
        // Replay happens before the WAL is opened for writing, through a head without a WAL.
        let replayHead = Head(wal: nil, logger: logger)
        let report = Self.replay(into: replayHead, directory: directory, walDirectory: walDir, repair: true, logger: logger)
        self.replayReport = report
        self.wal = try WAL(directory: walDir, segmentSize: options.walSegmentSize, fsyncPolicy: options.walFsync,
                           logger: logger, fsyncObserver: fsyncObserver)
        self.head = Head(wal: wal, logger: logger, futureBound: options.tooFarInFutureMs.map { (options.clock, $0) })
        head.adopt(replayHead)
    }

    /// Loads a database without writing anything (no repair, no new segment): for offline tools
    /// that may run beside a live server.
    public static func readOnly(directory: String, logger: Logger = Logger(label: "vigil.tsdb")) -> (Head, ReplayReport) {
        let head = Head(wal: nil, logger: logger)
        let report = replay(into: head, directory: directory, walDirectory: directory + "/wal", repair: false, logger: logger)
        return (head, report)
    }

    private static func replay(into head: Head, directory: String, walDirectory: String, repair: Bool, logger: Logger) -> ReplayReport {
        var report = ReplayReport()
        // Newest valid snapshot first.
        let snapshots = PosixFile.list(directory).compactMap { HeadSnapshot.segment(ofFile: $0) }.sorted(by: >)
        var firstSegment = 0
        var snapshotRefs: [SeriesRef: SeriesRef] = [:]
        for seg in snapshots {
            let path = directory + "/" + HeadSnapshot.fileName(seg)
            do {
                let entries = try HeadSnapshot.read(path)
                snapshotRefs = head.restore(entries)
                report.snapshotSeries = entries.count
                firstSegment = seg
                logger.info("loaded head snapshot", metadata: ["file": "\(path)", "series": "\(entries.count)"])
                break
            } catch {
                report.corruptions.append("snapshot \(path): \(error)")
                logger.error("skipping unreadable snapshot", metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
        var refMap = snapshotRefs
        for seg in WAL.segments(in: walDirectory) where seg >= firstSegment {
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
    public func checkpoint() throws(StorageIOError) {
        // Cut under the head lock, so the snapshot holds exactly what precedes the new segment.
        let wal = self.wal
        let (segment, entries) = try head.snapshotEntries(cutting: { () throws(StorageIOError) in try wal.cut() })
        let path = directory + "/" + HeadSnapshot.fileName(segment)
        try HeadSnapshot.write(entries, to: path, directory: directory)
        let older = PosixFile.list(directory).compactMap { HeadSnapshot.segment(ofFile: $0) }.filter { $0 < segment }
        let keepFrom = older.max() ?? 0
        for seg in older where seg < keepFrom { PosixFile.remove(directory + "/" + HeadSnapshot.fileName(seg)) }
        // Segments a remote-write queue has not sent yet stay, whatever the snapshot covers.
        let needed = walReaders.withLock { $0.values.min() }
        wal.removeSegments(before: min(keepFrom, needed ?? keepFrom))
        logger.debug("checkpoint written", metadata: ["segment": "\(segment)", "series": "\(entries.count)"])
    }

    /// Writes everything the head holds now into `target`, as a storage directory of its own
    /// (a snapshot file and an empty `wal/`) that Vigil opens with `--storage.tsdb.path` and
    /// `vigil tsdb dump` reads: the admin API's backup. The live WAL is cut, nothing is removed.
    public func backup(to target: String) throws(StorageIOError) {
        let wal = self.wal
        let (segment, entries) = try head.snapshotEntries(cutting: { () throws(StorageIOError) in try wal.cut() })
        try PosixFile.makeDirectories(target + "/wal")
        try HeadSnapshot.write(entries, to: target + "/" + HeadSnapshot.fileName(segment), directory: target)
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

    /// Applies time and size retention; returns series dropped.
    @discardableResult
    public func applyRetention() -> Int {
        var dropped = 0
        let newest = head.maxTime
        if let rt = options.retentionTime, newest != .min {
            dropped += head.truncate(before: newest &- rt.milliseconds).series
        }
        if let limit = options.retentionSize {
            let budget = max(0, limit - wal.totalBytes)
            if let cutoff = head.cutoffForSize(limit: budget) {
                dropped += head.truncate(before: cutoff).series
            }
        }
        return dropped
    }

    /// Bytes of WAL segments on disk.
    public var walBytes: Int { wal.totalBytes }

    /// fsyncs the WAL (periodic policy and shutdown).
    public func syncWAL() throws(StorageIOError) { try wal.sync() }

    /// Flushes and closes the WAL; the database is read-only afterwards.
    public func close() { wal.close() }
}
