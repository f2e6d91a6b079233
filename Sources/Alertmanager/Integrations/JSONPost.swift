import AsyncHTTPClient
import ConfigSupport
import Foundation
import GoTemplate
import NIOCore
import OutgoingHTTP

/// A notification posted as JSON over HTTP, as the webhook, chat and incident integrations
/// deliver: the URL (inline or from its file), the POST, and what a failure means for retrying.
enum JSONPost {
    /// Renders a payload and posts it before the deadline: the steps every JSON integration
    /// takes. A template that fails is not retried; the response text is returned.
    static func deliver(_ what: String, to url: String, httpConfig: HTTPClientConfig, authorization: String? = nil,
                        shownAs: String? = nil, deadlineMs: Int64,
                        payload: () throws(TemplateError) -> String) async throws(IntegrationError) -> String {
        let body: String
        do { body = try payload() } catch { throw IntegrationError("\(what) template: \(error)", retryable: false) }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return try await send(body, to: url, httpConfig: httpConfig, authorization: authorization, shownAs: shownAs, timeoutMs: deadlineMs - now)
    }

    /// The URL given inline or in a file; an error (not retryable) when neither can be read.
    static func url(inline: String?, file: String?, what: String) throws(IntegrationError) -> String {
        try credential(inline: inline, file: file, what: what + " url")
    }

    /// A key, token or URL given inline or in a file (read at each delivery, so a rotated file
    /// is picked up); an error (not retryable) when neither can be read.
    static func credential(inline: String?, file: String?, what: String) throws(IntegrationError) -> String {
        if let inline { return inline }
        guard let file else { throw IntegrationError("no \(what) is configured", retryable: false) }
        do { return try HTTPClientConfig.readSecretFile(file) } catch { throw IntegrationError(error.description, retryable: false) }
    }

    /// POSTs `body` to `url` within `timeoutMs`; the response text when the status is 2xx.
    /// Network errors, 5xx and 429 may pass and are retryable; other statuses are not.
    /// `shownAs` replaces the URL in errors when even its path is a credential (Telegram's bot token).
    static func send(_ body: String, to url: String, httpConfig: HTTPClientConfig, authorization: String? = nil,
                     shownAs: String? = nil, timeoutMs: Int64) async throws(IntegrationError) -> String {
        let shown = shownAs ?? redacted(url)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Vigil-Alertmanager")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(string: body))
        let http: HTTPClient
        do { http = try OutgoingHTTPClients.client(for: httpConfig) } catch { throw IntegrationError("\(error)", retryable: false) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .milliseconds(max(1, timeoutMs)))
        } catch {
            throw IntegrationError("POST \(shown): \(NetworkErrorText.describe(error))", retryable: true)
        }
        let text = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
        let code = Int(response.status.code)
        guard (200..<300).contains(code) else {
            let detail = text.isEmpty ? "" : ": " + String(text.prefix(200))
            throw IntegrationError("POST \(shown): unexpected status code \(code)\(detail)", retryable: code >= 500 || code == 429)
        }
        return text
    }

    /// URLs may carry tokens (a Slack webhook URL is one): errors show scheme, host and path only.
    static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url) else { return "<url>" }
        c.query = nil
        c.user = nil
        c.password = nil
        return c.string ?? "<url>"
    }
}
