import Synchronization

/// How far opening storage has got in replaying the WAL, readable while it runs: the status API
/// (`/api/v1/status/walreplay`) and `vigil_tsdb_wal_replay_*` report it, so a slow start after a
/// crash is visible rather than a silent wait.
public final class WALReplayProgress: Sendable {
    /// Where replay stands.
    public enum State: String, Sendable {
        /// Storage has not started replaying (blocks are being opened).
        case waiting
        case inProgress = "in progress"
        case done
    }

    /// One consistent reading of the progress.
    public struct Snapshot: Sendable, Equatable {
        public var state: State
        /// The first and last WAL segment to replay (both -1 before they are known or when the
        /// WAL is empty).
        public var firstSegment: Int
        public var lastSegment: Int
        /// The segment being replayed, or the last one once done.
        public var currentSegment: Int
        public var samples: Int
        /// Seconds from the start of replay to its end (or to now while it runs).
        public var seconds: Double
    }

    private let state = Mutex(Snapshot(state: .waiting, firstSegment: -1, lastSegment: -1, currentSegment: -1, samples: 0, seconds: 0))
    private let started = Mutex<ContinuousClock.Instant?>(nil)

    public init() {}

    public var snapshot: Snapshot {
        var s = state.withLock { $0 }
        if s.state == .inProgress, let start = started.withLock({ $0 }) { s.seconds = Self.seconds(start.duration(to: .now)) }
        return s
    }

    /// Replay starts (with the snapshot, before the segments are known).
    func begin() {
        started.withLock { $0 = .now }
        state.withLock { $0.state = .inProgress }
    }

    /// The segments the snapshot leaves to replay.
    func planned(segments: ClosedRange<Int>?) {
        state.withLock {
            $0.firstSegment = segments?.lowerBound ?? -1
            $0.lastSegment = segments?.upperBound ?? -1
        }
    }

    func replaying(segment: Int, samplesSoFar: Int) {
        state.withLock {
            $0.currentSegment = segment
            $0.samples = samplesSoFar
        }
    }

    func finish(samples: Int) {
        let elapsed = started.withLock { $0.map { Self.seconds($0.duration(to: .now)) } } ?? 0
        state.withLock {
            $0.state = .done
            $0.samples = samples
            $0.seconds = elapsed
            if $0.lastSegment >= 0 { $0.currentSegment = $0.lastSegment }
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
