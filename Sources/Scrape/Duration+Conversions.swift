import NIOCore

extension Duration {
    /// The duration in seconds, for the figures written as samples (`scrape_duration_seconds`,
    /// `probe_duration_seconds`).
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration as NIO's `TimeAmount`, first clamped into `range` and then converted in
    /// integer arithmetic: no configured timeout, however large, can overflow it.
    func timeAmount(clampedTo range: ClosedRange<Duration>) -> TimeAmount {
        let (seconds, attoseconds) = min(max(self, range.lowerBound), range.upperBound).components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
