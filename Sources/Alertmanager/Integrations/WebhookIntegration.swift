import ConfigSupport
import Foundation
import MetricModel
import OutgoingHTTP

/// Posts Alertmanager's webhook payload (version 4) as JSON to a URL.
public struct WebhookIntegration: Integration {
    public let config: WebhookConfig
    public var kind: String { "webhook" }
    public var sendResolved: Bool { config.sendResolved }

    public init(config: WebhookConfig) { self.config = config }

    public func send(_ notification: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError) {
        let url = try JSONPost.url(inline: config.url, file: config.urlFile, what: "webhook")
        let body = Self.payload(notification.truncated(to: config.maxAlerts))
        let authorization: String?
        do {
            authorization = try await OAuth2Tokens.authorizationHeader(for: config.httpConfig)
        } catch let failure as OAuth2Tokens.Failure {
            // The token endpoint may be back on the next attempt.
            throw IntegrationError(failure.description, retryable: true)
        } catch {
            throw IntegrationError("\(error)", retryable: false)
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var timeoutMs = max(1, deadlineMs - now)
        if config.timeout.milliseconds > 0 { timeoutMs = min(timeoutMs, config.timeout.milliseconds) }
        _ = try await JSONPost.send(body, to: url, httpConfig: config.httpConfig, authorization: authorization, timeoutMs: timeoutMs)
    }

    /// The JSON Alertmanager's webhook integration sends.
    public static func payload(_ n: GroupNotification) -> String {
        var out = "{\"receiver\":" + JSONString.quote(n.receiver)
        out += ",\"status\":" + JSONString.quote(n.status)
        out += ",\"alerts\":["
        for (i, a) in n.alerts.enumerated() {
            if i > 0 { out += "," }
            out += "{\"status\":" + JSONString.quote(a.status)
            out += ",\"labels\":" + object(a.labels)
            out += ",\"annotations\":" + object(a.annotations)
            out += ",\"startsAt\":" + JSONString.quote(GoTime.rfc3339(a.startsAt))
            out += ",\"endsAt\":" + JSONString.quote(a.endsAt.map(GoTime.rfc3339) ?? GoTime.zeroJSON)
            out += ",\"generatorURL\":" + JSONString.quote(a.generatorURL)
            out += ",\"fingerprint\":" + JSONString.quote(a.fingerprint.description) + "}"
        }
        out += "],\"groupLabels\":" + object(n.groupLabels)
        out += ",\"commonLabels\":" + object(n.commonLabels)
        out += ",\"commonAnnotations\":" + object(n.commonAnnotations)
        out += ",\"externalURL\":" + JSONString.quote(n.externalURL)
        out += ",\"version\":\"4\",\"groupKey\":" + JSONString.quote(n.groupKey)
        out += ",\"truncatedAlerts\":\(n.truncatedAlerts)}"
        return out
    }

    static func object(_ labels: Labels) -> String {
        "{" + labels.pairs.map { JSONString.quote($0.name) + ":" + JSONString.quote($0.value) }.joined(separator: ",") + "}"
    }
}
