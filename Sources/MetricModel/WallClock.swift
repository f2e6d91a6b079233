import Foundation

/// The time source of timer-driven components: real in production, controllable in tests.
public protocol WallClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func nowMs() -> Int64
    /// Sleeps until the given epoch time (throws on cancellation).
    func sleep(untilMs: Int64) async throws
}

/// The system clock.
public struct SystemWallClock: WallClock {
    public init() {}

    public func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    public func sleep(untilMs: Int64) async throws {
        let delta = untilMs - nowMs()
        if delta > 0 { try await Task.sleep(for: .milliseconds(delta)) } else { try Task.checkCancellation() }
    }
}
