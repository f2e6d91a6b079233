import MetricModel

/// Which group an alert joins: the route it came through and its values of the route's `group_by` labels.
public struct GroupID: Hashable, Sendable {
    public var routeID: String
    public var labels: Labels
}

/// The alerts of one route with equal group labels, and when they are next notified.
///
/// A value-type state machine driven by the dispatcher with explicit times: the first
/// notification waits `group_wait` (or goes at once for an alert already older than that), later
/// ones go every `group_interval`; whether a flush actually notifies (something changed, or
/// `repeat_interval` passed) is the notification pipeline's decision.
public struct AggregationGroup: Sendable {
    public let id: GroupID
    /// Alertmanager's group key: the route key, `:`, and the group labels (`{}/{team="ml"}:{alertname="Down"}`).
    public let key: String
    public let route: Route
    public private(set) var alerts: [AlertFingerprint: ManagedAlert] = [:]
    public private(set) var nextFlushMs: Int64
    public private(set) var hasFlushed = false
    public private(set) var isFlushing = false

    public init(route: Route, labels: Labels, now: Int64) {
        self.id = GroupID(routeID: route.id, labels: labels)
        self.key = route.key + ":" + AggregationGroup.format(labels)
        self.route = route
        self.nextFlushMs = now + route.groupWait.milliseconds
    }

    /// `{a="1", b="2"}`, as Alertmanager prints label sets in group keys.
    static func format(_ labels: Labels) -> String {
        "{" + labels.pairs.map { "\($0.name)=\(GoQuotedString.quote($0.value))" }.joined(separator: ", ") + "}"
    }

    public var isEmpty: Bool { alerts.isEmpty }

    /// Adds or replaces an alert. Before the first notification, an alert that started more than
    /// `group_wait` ago makes the group due now.
    public mutating func insert(_ alert: ManagedAlert, now: Int64) {
        alerts[alert.fingerprint] = alert
        if !hasFlushed, alert.startsAt + route.groupWait.milliseconds <= now {
            nextFlushMs = min(nextFlushMs, now)
        }
    }

    /// When due and not already flushing: the alerts to notify (sorted by labels), and the next
    /// flush moved one `group_interval` ahead.
    public mutating func startFlush(now: Int64) -> [ManagedAlert]? {
        guard !isFlushing, now >= nextFlushMs, !alerts.isEmpty else { return nil }
        isFlushing = true
        hasFlushed = true
        nextFlushMs = now + route.groupInterval.milliseconds
        return alerts.values.sorted { $0.labels < $1.labels }
    }

    /// Ends the flush that started at `flushedAt`. After a successful one, the alerts that were
    /// resolved when it started are forgotten unless they changed meanwhile (a re-fired alert stays).
    public mutating func finishFlush(notified: [ManagedAlert], flushedAt: Int64, succeeded: Bool) {
        isFlushing = false
        guard succeeded else { return }
        for a in notified where a.isResolved(at: flushedAt) && alerts[a.fingerprint] == a {
            alerts[a.fingerprint] = nil
        }
    }
}
