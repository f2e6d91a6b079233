/// How alerts resume after a restart from their `ALERTS_FOR_STATE` series, as Prometheus'
/// `--rules.alert.for-outage-tolerance` and `--rules.alert.for-grace-period` decide, with one
/// difference: an alert that was firing fires again at once, whatever its `for`.
public struct ForStateRestoration: Sendable, Equatable {
    /// A restart longer ago than this (since the last `ALERTS_FOR_STATE` sample) restores nothing.
    public var outageToleranceMs: Int64 = 3_600_000
    /// A pending alert gets at least this long after the restart before it fires; rules whose
    /// `for` is shorter start their clock over, as in Prometheus.
    public var gracePeriodMs: Int64 = 600_000

    public init(outageToleranceMs: Int64 = 3_600_000, gracePeriodMs: Int64 = 600_000) {
        self.outageToleranceMs = outageToleranceMs
        self.gracePeriodMs = gracePeriodMs
    }

    /// When the alert counts as active from, given it was active since `activeAt` when Vigil last
    /// evaluated it at `downAt`, and the rule's `for` is `holdMs`; nil starts the clock at `now`.
    public func resumedActiveAt(activeAt: Int64, downAt: Int64, holdMs: Int64, now: Int64) -> Int64? {
        guard now - downAt <= outageToleranceMs, activeAt <= downAt else { return nil }
        let remaining = holdMs - (downAt - activeAt)
        if remaining <= 0 { return activeAt }
        if holdMs < gracePeriodMs { return nil }
        if remaining < gracePeriodMs { return now + gracePeriodMs - holdMs }
        // The time Vigil was down does not count towards `for`.
        return activeAt + (now - downAt)
    }
}
