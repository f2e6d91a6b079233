import ConfigSupport
import MetricModel

/// `telegram_configs` entry: a message per group sent by a bot to a chat, with Alertmanager's
/// fields and defaults. The message is a template.
public struct TelegramConfig: Sendable {
    public var sendResolved = true
    /// Defaults to the global `telegram_api_url`.
    public var apiURL: String
    /// The bot's token (a credential, never shown — also not in error messages, where it would
    /// be part of the URL).
    public var botToken: Secret?
    public var botTokenFile: String?
    public var chatID: Int64
    public var messageThreadID: Int?
    public var message = #"{{ template "telegram.default.message" . }}"#
    public var disableNotifications = false
    /// `HTML` (the default), `Markdown`, `MarkdownV2`, or empty for plain text.
    public var parseMode = "HTML"
    public var httpConfig: HTTPClientConfig

    static let defaultAPIURL = "https://api.telegram.org"
    static let parseModes: Set<String> = ["", "HTML", "Markdown", "MarkdownV2"]

    static func decode(_ v: YAMLValue, global: AlertmanagerGlobal, _ ctx: inout DecodeContext) throws(ConfigError) -> TelegramConfig {
        var m = try MappingReader(v, what: "telegram_config", ctx)
        let sendResolved = try m.bool("send_resolved", ctx) ?? true
        var apiURL = try m.string("api_url", ctx) ?? global.telegramAPIURL ?? defaultAPIURL
        if !(apiURL.hasPrefix("http://") || apiURL.hasPrefix("https://")) { throw ctx.error(v, "unsupported scheme in telegram api_url (expected http or https)") }
        while apiURL.hasSuffix("/") { apiURL.removeLast() }
        let token = try m.string("bot_token", ctx).map(Secret.init)
        let tokenFile = try m.string("bot_token_file", ctx)
        if token == nil && tokenFile == nil { throw ctx.error(v, "missing bot_token or bot_token_file on telegram_config") }
        if token != nil && tokenFile != nil { throw ctx.error(v, "at most one of bot_token & bot_token_file must be configured") }
        guard let chat = try m.signedInt("chat_id", ctx), chat != 0 else { throw ctx.error(v, "missing chat_id on telegram_config") }
        var c = TelegramConfig(apiURL: apiURL, botToken: token, botTokenFile: tokenFile, chatID: chat, httpConfig: global.httpConfig)
        c.sendResolved = sendResolved
        c.messageThreadID = try m.int("message_thread_id", ctx)
        c.message = try m.string("message", ctx) ?? c.message
        c.disableNotifications = try m.bool("disable_notifications", ctx) ?? false
        c.parseMode = try m.string("parse_mode", ctx) ?? c.parseMode
        if !parseModes.contains(c.parseMode) {
            throw ctx.error(v, "unknown parse_mode \(GoQuotedString.quote(c.parseMode)) on telegram_config, must be Markdown, MarkdownV2, HTML or empty string")
        }
        c.httpConfig = try m.httpConfig(or: c.httpConfig, &ctx)
        try m.finish(&ctx)
        return c
    }
}
