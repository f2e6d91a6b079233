import MetricModel

/// A shorter retention for the series one selector picks (`--storage.tsdb.retention.rules`):
/// Python's garbage-collector metrics for two days while the model's own metrics stay for the full
/// retention. Samples of matching series older than the newest sample minus ``retention`` are
/// deleted at maintenance: tombstones in the blocks (blocks then rewritten once a twentieth of their
/// series carry tombstones), dropped at once from the head.
public struct RetentionRule: Sendable, CustomStringConvertible {
    public var matchers: [LabelMatcher]
    public var retention: PromDuration
    /// The selector as written, for logs and flags.
    public var selector: String

    public init(matchers: [LabelMatcher], retention: PromDuration, selector: String) {
        self.matchers = matchers
        self.retention = retention
        self.selector = selector
    }

    public var description: String { "\(selector) \(retention)" }

    /// The newest deleted millisecond for data whose newest sample is at `newest`, rounded down to
    /// a multiple of `granularity` (a block range), so blocks and the head change at most once per
    /// range rather than at every maintenance run. Nil when nothing is old enough.
    func deleteThrough(newest: Int64, granularity: Int64) -> Int64? {
        let (cutoff, overflow) = newest.subtractingReportingOverflow(retention.milliseconds)
        guard !overflow, granularity > 0 else { return nil }
        let aligned = cutoff >= 0 ? cutoff / granularity * granularity : -((-cutoff + granularity - 1) / granularity) * granularity
        let (through, under) = aligned.subtractingReportingOverflow(1)
        return under ? nil : through
    }
}
