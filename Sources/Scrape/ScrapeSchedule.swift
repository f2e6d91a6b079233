/// When a target is scraped: every `interval`, at a phase derived from the target's hash so that
/// targets spread over the interval and keep their phase across restarts.
public struct ScrapeSchedule: Sendable, Hashable {
    public let intervalMs: Int64
    public let offsetMs: Int64

    public init(intervalMs: Int64, targetHash: UInt64) {
        self.intervalMs = max(1, intervalMs)
        self.offsetMs = Int64(targetHash % UInt64(self.intervalMs))
    }

    /// The first scrape time strictly after `now` (epoch milliseconds) that is on this phase.
    public func next(after now: Int64) -> Int64 {
        let base = now - ((now - offsetMs) % intervalMs + intervalMs) % intervalMs
        return base + intervalMs
    }

    /// The scrape time at or after `now`.
    public func first(atOrAfter now: Int64) -> Int64 { next(after: now - 1) }
}
