import ConfigSupport
import MetricModel

/// `discord_configs` entry: a message with one embed posted to a Discord webhook, with
/// Alertmanager's fields and defaults. Title, message and content are templates.
public struct DiscordConfig: Sendable {
    public var sendResolved = true
    /// The webhook URL, which is the credential (never shown).
    public var webhookURL: Secret?
    public var webhookURLFile: String?
    public var httpConfig: HTTPClientConfig
    public var title = #"{{ template "discord.default.title" . }}"#
    public var message = #"{{ template "discord.default.message" . }}"#
    public var content = #"{{ template "discord.default.content" . }}"#
    public var username = ""
    public var avatarURL = ""

    static func decode(_ v: YAMLValue, global: AlertmanagerGlobal, _ ctx: inout DecodeContext) throws(ConfigError) -> DiscordConfig {
        var m = try MappingReader(v, what: "discord_config", ctx)
        var c = DiscordConfig(httpConfig: global.httpConfig)
        c.sendResolved = try m.bool("send_resolved", ctx) ?? true
        (c.webhookURL, c.webhookURLFile) = try m.webhookURL("discord", in: v, &ctx)
        c.httpConfig = try m.httpConfig(or: c.httpConfig, &ctx)
        c.title = try m.string("title", ctx) ?? c.title
        c.message = try m.string("message", ctx) ?? c.message
        c.content = try m.string("content", ctx) ?? c.content
        c.username = try m.string("username", ctx) ?? c.username
        c.avatarURL = try m.string("avatar_url", ctx) ?? c.avatarURL
        try m.finish(&ctx)
        return c
    }
}
