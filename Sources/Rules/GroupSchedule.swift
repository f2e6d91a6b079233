import MetricModel

/// When a rule group runs: every `interval`, at a fixed offset derived from the group's identity
/// so groups spread over the interval instead of all starting together (and keep their slots
/// across restarts). Pure arithmetic on milliseconds, so it is tested without a clock.
public struct GroupSchedule: Sendable, Equatable {
    public let interval: Int64
    public let offset: Int64

    public init(interval: Int64, key: String) {
        self.interval = max(1, interval)
        var h = FNV1a64()
        h.add(key)
        self.offset = Int64(h.value % UInt64(self.interval))
    }

    /// The latest slot at or before `t`.
    public func slot(atOrBefore t: Int64) -> Int64 {
        let shifted = t - offset
        let floor = shifted >= 0 ? shifted / interval : -((-shifted + interval - 1) / interval)
        return floor * interval + offset
    }

    /// The first slot after `t`.
    public func slot(after t: Int64) -> Int64 { slot(atOrBefore: t) + interval }

    /// Slots between `due` (inclusive) and `now`'s slot (exclusive) that were never evaluated:
    /// counted as missed, not run late.
    public func missed(due: Int64, now: Int64) -> Int {
        let latest = slot(atOrBefore: now)
        return latest > due ? Int((latest - due) / interval) : 0
    }
}
