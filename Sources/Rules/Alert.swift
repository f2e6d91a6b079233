import MetricModel

/// Where an alert is in its life: pending while its `for` runs, firing after, inactive once resolved.
public enum AlertState: String, Sendable, Equatable {
    case inactive, pending, firing
}

/// One alert of an alerting rule: a label set the rule's expression returned.
public struct Alert: Sendable, Equatable {
    /// The expression's labels without the name, with the rule's labels and `alertname`.
    public var labels: Labels
    /// Annotation texts (templates are expanded by the caller that owns a template engine).
    public var annotations: [String: String]
    public var state: AlertState
    /// The evaluation at which the condition was first seen (milliseconds).
    public var activeAt: Int64
    public var firedAt: Int64?
    public var resolvedAt: Int64?
    /// The first evaluation without the condition while `keep_firing_for` holds the alert.
    public var keepFiringSince: Int64?
    /// The expression's value at the last evaluation that saw the condition.
    public var value: Double
    /// When the alert was last handed to the notifier.
    public var lastSentAt: Int64?
    /// How long Alertmanager may consider a firing alert active without hearing of it again.
    public var validUntil: Int64?
    /// The expression's labels for this alert (without the name), to find its series again.
    public var sourceLabels: Labels = .empty

    init(labels: Labels, annotations: [String: String], state: AlertState, activeAt: Int64, value: Double) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.activeAt = activeAt
        self.value = value
    }

    /// Whether the notifier should hear of it now: firing alerts every `resendDelay`, resolved
    /// ones at once after resolving and then at the same pace while they are kept.
    func needsSending(at t: Int64, resendDelay: Int64) -> Bool {
        if state == .pending { return false }
        if let resolved = resolvedAt, resolved > (lastSentAt ?? .min) { return true }
        guard let sent = lastSentAt else { return true }
        return sent + resendDelay < t
    }
}

/// An alert handed to the notifier, with the expression of the rule that raised it.
public struct AlertNotification: Sendable, Equatable {
    public var alert: Alert
    public var expression: String
}

/// The alerts of one alerting rule across evaluations: a value type that takes each evaluation's
/// result and returns the alerts as they now stand, with no clock of its own.
public struct AlertingRuleState: Sendable {
    public let name: String
    public let holdDuration: Int64
    public let keepFiringFor: Int64
    /// Resolved alerts stay (and are re-sent) this long, as in Prometheus.
    public static let resolvedRetention: Int64 = 15 * 60_000

    /// Alerts by label set, in the order they first appeared.
    public private(set) var alerts: LabelsTable<Alert> = LabelsTable()

    public init(name: String, holdDuration: Int64, keepFiringFor: Int64) {
        self.name = name
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
    }

    /// The same rule after a reload that may have changed its durations: the alerts carry over.
    init(_ old: AlertingRuleState, holdDuration: Int64, keepFiringFor: Int64) {
        self.init(name: old.name, holdDuration: holdDuration, keepFiringFor: keepFiringFor)
        self.alerts = old.alerts
    }

    /// One evaluation at `t`: `present` holds each alert label set the expression returned, its
    /// value and its annotations.
    ///
    /// `restoredActiveAt` gives, for an alert not yet known, when it became active before a restart
    /// (from `ALERTS_FOR_STATE`): its `for` clock continues instead of starting over, and an alert
    /// that was firing fires again at once.
    public mutating func evaluate(_ present: [(labels: Labels, value: Double, annotations: [String: String])], at t: Int64,
                                  sources: [Labels: Labels] = [:], restoredActiveAt: (Labels) -> Int64? = { _ in nil }) {
        var seen = Set<Int>()
        for item in present {
            let (index, inserted) = alerts.insert(item.labels) {
                let since = restoredActiveAt(item.labels).map { min($0, t) } ?? t
                var alert = Alert(labels: item.labels, annotations: item.annotations, state: .pending, activeAt: since, value: item.value)
                alert.sourceLabels = sources[item.labels] ?? .empty
                return alert
            }
            seen.insert(index)
            if inserted { continue }
            var alert = alerts.values[index]
            if alert.state == .inactive {
                // A resolved alert that comes back is a new alert.
                alert = Alert(labels: item.labels, annotations: item.annotations, state: .pending, activeAt: t, value: item.value)
                alert.sourceLabels = sources[item.labels] ?? .empty
            }
            alert.value = item.value
            alert.annotations = item.annotations
            alert.keepFiringSince = nil
            alerts.values[index] = alert
        }
        var keep = LabelsTable<Alert>()
        for (index, var alert) in alerts.values.enumerated() {
            if seen.contains(index) {
                if alert.state == .pending && t - alert.activeAt >= holdDuration {
                    alert.state = .firing
                    alert.firedAt = t
                }
            } else {
                switch alert.state {
                case .pending:
                    continue   // never fired: forgotten at once
                case .firing:
                    if keepFiringFor > 0 {
                        let since = alert.keepFiringSince ?? t
                        alert.keepFiringSince = since
                        if t - since < keepFiringFor { break }
                    }
                    alert.state = .inactive
                    alert.resolvedAt = t
                case .inactive:
                    if let resolved = alert.resolvedAt, t - resolved > Self.resolvedRetention { continue }
                }
            }
            keep.insert(alert.labels) { alert }
        }
        alerts = keep
    }

    /// Records the value an alert's series had when it resolved, and annotations expanded with it.
    mutating func recordResolution(_ labels: Labels, value: Double, annotations: [String: String]) {
        guard let i = alerts.index(of: labels), alerts.values[i].state == .inactive else { return }
        alerts.values[i].value = value
        alerts.values[i].annotations = annotations
    }

    /// The alerts due for sending at `t`, marked as sent; firing ones are valid for four
    /// resend periods (or evaluation intervals, if longer), as Prometheus sends them.
    public mutating func alertsToSend(at t: Int64, resendDelay: Int64, interval: Int64) -> [Alert] {
        var out: [Alert] = []
        for i in alerts.values.indices where alerts.values[i].needsSending(at: t, resendDelay: resendDelay) {
            alerts.values[i].lastSentAt = t
            alerts.values[i].validUntil = t + 4 * max(resendDelay, interval)
            out.append(alerts.values[i])
        }
        return out
    }

    /// Pending and firing alerts.
    public var active: [Alert] { alerts.values.filter { $0.state != .inactive } }

}
