import Synchronization

/// A clock that moves only when told: tests and simulations drive timer-driven components
/// (scrape loops, rule groups, dispatcher groups, retries) through it in simulated time.
///
/// `sleep(untilMs:)` returns once the clock has been set or advanced to the deadline, and throws
/// `CancellationError` when the sleeping task is cancelled first.
public final class ManualWallClock: WallClock {
    private struct Sleeper {
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
    }

    private let state: Mutex<State>

    public init(startMs: Int64) { state = Mutex(State(now: startMs)) }

    public func nowMs() -> Int64 { state.withLock { $0.now } }

    /// Moves the clock to `ms` (never backwards) and wakes every sleeper whose deadline passed.
    public func set(_ ms: Int64) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            s.now = max(s.now, ms)
            let ready = s.sleepers.filter { $0.value.deadline <= s.now }
            for id in ready.keys { s.sleepers[id] = nil }
            return ready.values.map(\.continuation)
        }
        for c in due { c.resume() }
    }

    /// Moves the clock forward by `ms`.
    public func advance(by ms: Int64) { set(nowMs() &+ ms) }

    public func sleep(untilMs deadline: Int64) async throws {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Result<Void, any Error>? = state.withLock { s in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= s.now { return .success(()) }
                    s.sleepers[id] = Sleeper(deadline: deadline, continuation: c)
                    return nil
                }
                if let resumeNow { c.resume(with: resumeNow) }
            }
        } onCancel: {
            let c = state.withLock { $0.sleepers.removeValue(forKey: id)?.continuation }
            c?.resume(throwing: CancellationError())
        }
    }
}
