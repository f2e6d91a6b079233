/// A delivery that failed, in words a user can act on; `retryable` says whether trying again may help.
public struct IntegrationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var retryable: Bool

    public init(_ message: String, retryable: Bool) {
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}

/// One way of telling a receiver about a group of alerts (an e-mail, a webhook call, a Slack message).
public protocol Integration: Sendable {
    /// `email`, `webhook`, `slack`, `discord`, `pagerduty`, `opsgenie`, `telegram` or `msteamsv2`:
    /// the `integration` label of the notification counters.
    var kind: String { get }
    /// Whether resolved alerts are sent (`send_resolved`).
    var sendResolved: Bool { get }
    /// Delivers one notification; the deadline (ms since the epoch) bounds the whole attempt.
    func send(_ notification: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError)
}
