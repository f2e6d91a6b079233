import Foundation
import MetricModel

/// One alert as notifications show it.
public struct NotificationAlert: Sendable, Equatable {
    public var status: String
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Int64
    /// `nil` while firing (the planned end is not shown, as in Alertmanager).
    public var endsAt: Int64?
    public var generatorURL: String
    public var fingerprint: AlertFingerprint

    public init(_ a: ManagedAlert, now: Int64) {
        let resolved = a.isResolved(at: now)
        status = resolved ? "resolved" : "firing"
        labels = a.labels
        annotations = a.annotations
        startsAt = a.startsAt
        endsAt = resolved ? a.endsAt : nil
        generatorURL = a.generatorURL
        fingerprint = a.fingerprint
    }
}

/// A notification about one group for one receiver: the data of the webhook payload and of
/// notification templates.
public struct GroupNotification: Sendable {
    public var receiver: String
    /// `firing` when any alert fires, else `resolved`.
    public var status: String
    public var alerts: [NotificationAlert]
    public var groupLabels: Labels
    public var commonLabels: Labels
    public var commonAnnotations: Labels
    public var externalURL: String
    public var groupKey: String
    public var truncatedAlerts = 0

    public init(receiver: String, groupKey: String, groupLabels: Labels, alerts: [ManagedAlert], externalURL: String, now: Int64) {
        self.receiver = receiver
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.externalURL = externalURL
        self.alerts = alerts.map { NotificationAlert($0, now: now) }
        self.status = self.alerts.contains { $0.status == "firing" } ? "firing" : "resolved"
        self.commonLabels = Self.common(self.alerts.map(\.labels))
        self.commonAnnotations = Self.common(self.alerts.map(\.annotations))
    }

    /// The pairs every set has with the same value.
    static func common(_ sets: [Labels]) -> Labels {
        guard var result = sets.first?.pairs else { return .empty }
        for s in sets.dropFirst() { result.removeAll { s[$0.name] != $0.value } }
        return Labels(sorted: result)
    }

    /// This notification with at most `max` alerts (0: all), the rest counted as truncated.
    public func truncated(to max: Int) -> GroupNotification {
        guard max > 0, alerts.count > max else { return self }
        var copy = self
        copy.truncatedAlerts = alerts.count - max
        copy.alerts = Array(alerts.prefix(max))
        return copy
    }

    public var firing: [NotificationAlert] { alerts.filter { $0.status == "firing" } }
    public var resolved: [NotificationAlert] { alerts.filter { $0.status == "resolved" } }
}

extension GroupNotification {
    /// A made-up firing alert for trying receivers and templates (`vigil notify test`, `vigil template render`).
    public static func sample(receiver: String, externalURL: String, now: Int64) -> GroupNotification {
        let alert = ManagedAlert(
            labels: Labels(["alertname": "VigilTestNotification", "severity": "info", "instance": "vigil.example:9090", "job": "vigil"]),
            annotations: Labels(["summary": "A test notification from Vigil", "description": "Sent by `vigil notify test` to check that this receiver works."]),
            startsAt: now, endsAt: nil, generatorURL: externalURL + "/graph", updatedAt: now)
        return GroupNotification(receiver: receiver, groupKey: "{}:{alertname=\"VigilTestNotification\"}",
                            groupLabels: Labels(["alertname": "VigilTestNotification"]), alerts: [alert], externalURL: externalURL, now: now)
    }
}
