import AsyncHTTPClient
import ConfigSupport
import Foundation
import MetricModel
import NIOCore
import OutgoingHTTP

/// Posts Alertmanager's webhook payload (version 4) as JSON to a URL.
public struct WebhookIntegration: Integration {
    public let config: WebhookConfig
    public var kind: String { "webhook" }
    public var sendResolved: Bool { config.sendResolved }

    public init(config: WebhookConfig) { self.config = config }

    public func send(_ notification: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError) {
        let url: String
        if let u = config.url { url = u } else if let file = config.urlFile {
            do { url = try HTTPClientConfig.readSecretFile(file) } catch { throw IntegrationError(error.description, retryable: false) }
        } else {
            throw IntegrationError("webhook has no url", retryable: false)
        }
        let body = Self.payload(notification.truncated(to: config.maxAlerts))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Vigil-Alertmanager")
        do {
            if let auth = try await OAuth2Tokens.authorizationHeader(for: config.httpConfig) { request.headers.add(name: "Authorization", value: auth) }
        } catch let failure as OAuth2Tokens.Failure {
            // The token endpoint may be back on the next attempt.
            throw IntegrationError(failure.description, retryable: true)
        } catch {
            throw IntegrationError("\(error)", retryable: false)
        }
        request.body = .bytes(ByteBuffer(string: body))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var timeoutMs = max(1, deadlineMs - now)
        if config.timeout.milliseconds > 0 { timeoutMs = min(timeoutMs, config.timeout.milliseconds) }
        let http: HTTPClient
        do { http = try OutgoingHTTPClients.client(for: config.httpConfig) } catch { throw IntegrationError("\(error)", retryable: false) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .milliseconds(timeoutMs))
        } catch {
            throw IntegrationError("POST \(Self.redacted(url)): \(NetworkErrorText.describe(error))", retryable: true)
        }
        let text = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
        let code = Int(response.status.code)
        guard (200..<300).contains(code) else {
            let detail = text.isEmpty ? "" : ": " + String(text.prefix(200))
            throw IntegrationError("POST \(Self.redacted(url)): unexpected status code \(code)\(detail)", retryable: code >= 500 || code == 429)
        }
    }

    /// URLs may carry tokens; errors show scheme, host and path only.
    static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return "<webhook url>" }
        c.query = nil
        c.user = nil
        c.password = nil
        return c.string ?? "<webhook url>"
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
