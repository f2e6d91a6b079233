import ConfigSupport
import Foundation
import GoTemplate
import MetricModel

/// Sends a group's message through a Telegram bot (`sendMessage`), as Alertmanager does. The bot
/// token is part of the URL, so errors show the URL with `<secret>` in its place.
public struct TelegramIntegration: Integration {
    public let config: TelegramConfig
    public var kind: String { "telegram" }
    public var sendResolved: Bool { config.sendResolved }

    public init(config: TelegramConfig) { self.config = config }

    /// Telegram's limit on a message's text, in characters.
    static let messageLimit = 4096

    public func send(_ notification: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError) {
        let token = try JSONPost.credential(inline: config.botToken?.value, file: config.botTokenFile, what: "telegram bot_token")
        let c = config
        let text = try await JSONPost.deliver("telegram", to: c.apiURL + "/bot" + token + "/sendMessage", httpConfig: c.httpConfig,
                                              shownAs: c.apiURL + "/bot<secret>/sendMessage", deadlineMs: deadlineMs) { () throws(TemplateError) in
            try Self.payload(c, notification, templates)
        }
        if let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], json["ok"] as? Bool == false {
            throw IntegrationError("telegram refused the message: \(json["description"] as? String ?? "unknown error")", retryable: false)
        }
    }

    /// The `sendMessage` body: chat, text, parse mode, silence and topic.
    static func payload(_ c: TelegramConfig, _ n: GroupNotification, _ templates: NotificationTemplates) throws(TemplateError) -> String {
        var w = JSONObjectWriter()
        w.raw("chat_id", String(c.chatID))
        if let thread = c.messageThreadID { w.raw("message_thread_id", String(thread)) }
        w.string("text", TextLimit.cut(try templates.render(c.message, n), to: messageLimit))
        w.string("parse_mode", c.parseMode)
        w.raw("disable_notification", c.disableNotifications ? "true" : "false")
        return w.finish()
    }
}
