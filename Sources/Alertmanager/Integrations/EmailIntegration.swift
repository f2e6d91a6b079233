import ConfigSupport
import Foundation
import GoTemplate
import NIOCore
import OutgoingHTTP

/// Sends a notification as an e-mail through the configured SMTP server.
public struct EmailIntegration: Integration {
    public let config: EmailConfig
    public var kind: String { "email" }
    public var sendResolved: Bool { config.sendResolved }

    public init(config: EmailConfig) { self.config = config }

    public static let defaultSubject = #"{{ template "email.default.subject" . }}"#
    public static let defaultHTML = #"{{ template "email.default.html" . }}"#
    public static let defaultText = #"{{ template "email.default.text" . }}"#

    /// Renders the message: headers, subject and bodies are templates.
    public func message(for n: GroupNotification, templates: NotificationTemplates) throws(IntegrationError) -> (MailMessage, recipients: [String]) {
        func render(_ text: String, _ what: String) throws(IntegrationError) -> String {
            do { return try templates.render(text, n) } catch { throw IntegrationError("cannot render the e-mail's \(what): \(error)", retryable: false) }
        }
        let to = try render(config.headers.first { $0.0 == "To" }?.1 ?? config.to, "To header")
        let from = try render(config.headers.first { $0.0 == "From" }?.1 ?? config.from, "From header")
        let subject = try render(config.headers.first { $0.0 == "Subject" }?.1 ?? Self.defaultSubject, "subject")
        var message = MailMessage(from: from, to: MailMessage.splitAddresses(to), subject: subject,
                                  text: try render(config.text ?? Self.defaultText, "text body"),
                                  html: try render(config.html ?? Self.defaultHTML, "HTML body"))
        if message.text?.isEmpty == true { message.text = nil }
        if message.html?.isEmpty == true { message.html = nil }
        if message.text == nil && message.html == nil { message.text = "" }
        for (name, value) in config.headers where !["To", "From", "Subject"].contains(name) {
            message.headers.append((name, try render(value, "\(name) header")))
        }
        let recipients = MailMessage.splitAddresses(try render(config.to, "recipients"))
        return (message, recipients)
    }

    public func settings() throws(IntegrationError) -> SMTPSettings {
        guard let hp = HostPort(config.smarthost) else { throw IntegrationError("invalid smarthost \(config.smarthost)", retryable: false) }
        var s = SMTPSettings(host: hp.host, port: hp.port)
        s.hello = config.hello
        s.username = config.authUsername
        s.identity = config.authIdentity
        s.secret = config.authSecret?.value
        s.requireTLS = config.requireTLS
        s.serverName = config.tlsConfig.serverName
        do {
            s.password = try config.authPasswordFile.map(HTTPClientConfig.readSecretFile) ?? config.authPassword?.value
            s.tls = try config.tlsConfig.makeClientConfiguration()
        } catch {
            throw IntegrationError("\(error)", retryable: false)
        }
        return s
    }

    public func send(_ n: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError) {
        let (message, recipients) = try message(for: n, templates: templates)
        guard !recipients.isEmpty else { throw IntegrationError("the e-mail has no recipients", retryable: false) }
        let settings = try settings()
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let deadline = NIODeadline.now() + .milliseconds(max(1, deadlineMs - nowMs))
        do {
            try await SMTPClient.send(message, envelopeFrom: message.from, recipients: recipients, settings: settings, deadline: deadline)
        } catch {
            throw IntegrationError(error.description, retryable: error.isTemporary)
        }
    }
}
