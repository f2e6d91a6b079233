import Alertmanager
import Foundation
import Prometheus

extension VigilMetrics {
    /// The embedded Alertmanager's counts, as `alertmanager_*` report them, prefixed `vigil_`:
    /// notifications and failures per integration, alerts and silences by state, alerts received.
    func observe(alertmanager am: EmbeddedAlertmanager) {
        for (kind, c) in am.notificationCounters {
            let labels = [("integration", kind)]
            gauge("vigil_alertmanager_notifications_total", "Notifications attempted, per integration.", labels).set(to: Double(c.notifications))
            gauge("vigil_alertmanager_notifications_failed_total", "Notifications that failed after all retries, per integration.", labels).set(to: Double(c.failed))
            gauge("vigil_alertmanager_notification_requests_total", "Delivery attempts (including retries), per integration.", labels).set(to: Double(c.requests))
            gauge("vigil_alertmanager_notification_requests_failed_total", "Failed delivery attempts, per integration.", labels).set(to: Double(c.failedRequests))
        }
        let reports = am.reports()
        let suppressed = reports.filter { $0.state == "suppressed" }.count
        gauge("vigil_alertmanager_alerts", "Alerts held by the Alertmanager, by state.", [("state", "active")]).set(to: Double(reports.count - suppressed))
        gauge("vigil_alertmanager_alerts", "Alerts held by the Alertmanager, by state.", [("state", "suppressed")]).set(to: Double(suppressed))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let silences = am.silences.all
        for state in ["active", "pending", "expired"] {
            let n = silences.filter { $0.state(at: now).rawValue == state }.count
            gauge("vigil_alertmanager_silences", "Silences by state.", [("state", state)]).set(to: Double(n))
        }
        let received = am.receivedCounts
        gauge("vigil_alertmanager_alerts_received_total", "Alerts received, by status at arrival.", [("status", "firing")]).set(to: Double(received.firing))
        gauge("vigil_alertmanager_alerts_received_total", "Alerts received, by status at arrival.", [("status", "resolved")]).set(to: Double(received.resolved))
        gauge("vigil_alertmanager_alerts_invalid_total", "Alerts refused as invalid.", []).set(to: Double(received.invalid))
    }

    /// A gauge mirroring a count kept elsewhere, made on first use.
    func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
    }
}
