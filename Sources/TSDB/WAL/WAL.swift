import Logging
import MetricModel
import Synchronization

/// When the WAL asks the disk to make written records durable.
///
/// Every commit is handed to the kernel before it returns (so a killed process loses nothing);
/// this policy only decides what survives a machine crash.
public enum WALFsyncPolicy: Sendable, Hashable {
    /// fsync on every commit: nothing acknowledged is lost, at a latency cost.
    case always
    /// fsync at most this often (and on segment cut and shutdown).
    case interval(Duration)
    /// Leave flushing to the kernel (and fsync on segment cut and shutdown).
    case never

    /// Parses `always`, `never` or a duration such as `10s`.
    public init?(parsing text: String) {
        switch text {
        case "always": self = .always
        case "never": self = .never
        default:
            guard let d = try? PromDuration(parsing: text), d.milliseconds > 0 else { return nil }
            self = .interval(d.duration)
        }
    }
}

/// A segmented write-ahead log: numbered files under `wal/`, each up to ``segmentSize`` bytes.
public final class WAL: Sendable {
    public let directory: String
    public let segmentSize: Int
    public let fsyncPolicy: WALFsyncPolicy
    /// Whether records are Snappy-compressed (`--storage.tsdb.wal-compression`, on by default).
    public let compression: Bool
    private let logger: Logger

    private struct State {
        var fd: Int32 = -1
        var segment: Int = 0
        var segmentBytes: Int = 0
        var lastSync: ContinuousClock.Instant = .now
        var dirty = false
        var closed = false
    }

    private let state: Mutex<State>
    /// Observes fsync durations in seconds (for Vigil's own metrics).
    private let fsyncObserver: (@Sendable (Double) -> Void)?

    public static func segmentName(_ index: Int) -> String {
        let s = String(index)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }

    /// Segment indices present in `directory`, ascending.
    public static func segments(in directory: String) -> [Int] {
        PosixFile.list(directory).compactMap { $0.count == 8 ? Int($0) : nil }.sorted()
    }

    /// Opens the WAL for writing, starting a fresh segment after any existing ones.
    public init(
        directory: String, segmentSize: Int = 128 << 20, fsyncPolicy: WALFsyncPolicy = .interval(.seconds(10)),
        compression: Bool = true, logger: Logger = Logger(label: "vigil.wal"), fsyncObserver: (@Sendable (Double) -> Void)? = nil
    ) throws(StorageIOError) {
        self.directory = directory
        self.compression = compression
        self.segmentSize = segmentSize
        self.fsyncPolicy = fsyncPolicy
        self.logger = logger
        self.fsyncObserver = fsyncObserver
        try PosixFile.makeDirectories(directory)
        let next = (Self.segments(in: directory).last ?? -1) + 1
        let path = directory + "/" + Self.segmentName(next)
        let fd = try PosixFile.openForAppend(path)
        PosixFile.syncDirectory(directory)
        state = Mutex(State(fd: fd, segment: next))
    }

    public var currentSegment: Int { state.withLock { $0.segment } }

    /// Writes records to the current segment (one `write` call), cutting a new segment when full.
    public func log(_ records: [WALRecord]) throws(StorageIOError) {
        var buffer: [UInt8] = []
        for r in records { WALSegmentReader.frame(r, into: &buffer, compress: compression) }
        try state.withLock { (s: inout State) throws(StorageIOError) in
            guard !s.closed else { throw StorageIOError(operation: "write", path: directory, errno: 9) }
            if s.segmentBytes > 0, s.segmentBytes + buffer.count > segmentSize {
                try cutLocked(&s)
            }
            let path = directory + "/" + Self.segmentName(s.segment)
            do throws(StorageIOError) {
                try PosixFile.writeAll(s.fd, buffer, path: path)
            } catch {
                // A part written before the disk filled up would be a torn record that hides
                // every later one from replay: cut the segment back to its last whole record.
                do { try PosixFile.truncate(s.fd, to: s.segmentBytes, path: path) } catch let cut {
                    logger.error("cutting a partly written WAL record failed: \(cut)")
                }
                throw error
            }
            s.segmentBytes += buffer.count
            s.dirty = true
            switch fsyncPolicy {
            case .always:
                try syncLocked(&s)
            case .interval(let d):
                if s.lastSync.duration(to: .now) >= d { try syncLocked(&s) }
            case .never:
                break
            }
        }
    }

    /// Closes the current segment and starts the next; returns the new segment's index.
    @discardableResult
    public func cut() throws(StorageIOError) -> Int {
        try state.withLock { (s: inout State) throws(StorageIOError) -> Int in
            try cutLocked(&s)
            return s.segment
        }
    }

    private func cutLocked(_ s: inout State) throws(StorageIOError) {
        try syncLocked(&s)
        // The next segment is opened before the current one is closed: if that fails (no
        // space, no inodes) writing simply continues in the current segment.
        let fd = try PosixFile.openForAppend(directory + "/" + Self.segmentName(s.segment + 1))
        PosixFile.closeFile(s.fd)
        s.fd = fd
        s.segment += 1
        s.segmentBytes = 0
        PosixFile.syncDirectory(directory)
    }

    private func syncLocked(_ s: inout State) throws(StorageIOError) {
        guard s.dirty else { s.lastSync = .now; return }
        let start = ContinuousClock.now
        try PosixFile.sync(s.fd, path: directory + "/" + Self.segmentName(s.segment))
        let elapsed = start.duration(to: .now)
        fsyncObserver?(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        s.dirty = false
        s.lastSync = .now
    }

    /// fsyncs the current segment if anything was written since the last sync.
    public func sync() throws(StorageIOError) {
        try state.withLock { (s: inout State) throws(StorageIOError) in try syncLocked(&s) }
    }

    /// Deletes segments numbered below `segment` (they are covered by a snapshot).
    public func removeSegments(before segment: Int) {
        for idx in Self.segments(in: directory) where idx < segment {
            PosixFile.remove(directory + "/" + Self.segmentName(idx))
        }
    }

    /// Total bytes of all segments on disk.
    public var totalBytes: Int {
        Self.segments(in: directory).reduce(0) { $0 + (PosixFile.size(directory + "/" + Self.segmentName($1)) ?? 0) }
    }

    /// Syncs and closes; later writes fail.
    public func close() {
        state.withLock { s in
            guard !s.closed else { return }
            do { try syncLocked(&s) } catch { logger.error("WAL fsync on close failed: \(error)") }
            PosixFile.closeFile(s.fd)
            s.closed = true
        }
    }
}
