import ConfigSupport
import Foundation
import GoTemplate
import MetricModel

/// Posts a Discord message — `content` and one embed with the rendered title, message and a
/// colour for the status — to a webhook, as Alertmanager's Discord integration does, cut to
/// Discord's limits.
public struct DiscordIntegration: Integration {
    public let config: DiscordConfig
    public var kind: String { "discord" }
    public var sendResolved: Bool { config.sendResolved }

    public init(config: DiscordConfig) { self.config = config }

    /// Discord's limits, in characters: embed title, embed description, message content.
    static let titleLimit = 256, descriptionLimit = 4096, contentLimit = 2000
    /// Embed colours: firing, resolved.
    static let firingColor = 0x992D22, resolvedColor = 0x2ECC71

    public func send(_ notification: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError) {
        let url = try JSONPost.url(inline: config.webhookURL?.value, file: config.webhookURLFile, what: "discord")
        _ = try await JSONPost.deliver("discord", to: url, httpConfig: config.httpConfig, deadlineMs: deadlineMs) { () throws(TemplateError) in
            try Self.payload(config, notification, templates)
        }
    }

    /// The JSON body: `content`, `username`, `avatar_url` and one embed.
    static func payload(_ c: DiscordConfig, _ n: GroupNotification, _ templates: NotificationTemplates) throws(TemplateError) -> String {
        func render(_ text: String, limit: Int) throws(TemplateError) -> String { TextLimit.cut(try templates.render(text, n), to: limit) }
        var embed = JSONObjectWriter()
        embed.string("title", try render(c.title, limit: titleLimit))
        embed.string("description", try render(c.message, limit: descriptionLimit))
        embed.raw("color", "\(n.status == "firing" ? firingColor : resolvedColor)")
        var w = JSONObjectWriter()
        w.string("content", try render(c.content, limit: contentLimit))
        w.string("username", c.username)
        w.string("avatar_url", c.avatarURL)
        w.raw("embeds", "[" + embed.finish() + "]")
        return w.finish()
    }
}
