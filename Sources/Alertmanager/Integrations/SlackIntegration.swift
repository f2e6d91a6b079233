import ConfigSupport
import Foundation
import GoTemplate
import MetricModel

/// Posts a Slack message — one attachment with the rendered title, text, colour, fields and
/// actions — to an incoming-webhook URL, as Alertmanager's Slack integration does.
public struct SlackIntegration: Integration {
    public let config: SlackConfig
    public var kind: String { "slack" }
    public var sendResolved: Bool { config.sendResolved }

    public init(config: SlackConfig) { self.config = config }

    public func send(_ notification: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError) {
        let url = try JSONPost.url(inline: config.apiURL?.value, file: config.apiURLFile, what: "slack")
        let text = try await JSONPost.deliver("slack", to: url, httpConfig: config.httpConfig, deadlineMs: deadlineMs) { () throws(TemplateError) in
            try Self.payload(config, notification, templates)
        }
        // Slack's Web API answers 200 with {"ok":false,"error":…} when it refuses a message.
        if let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], json["ok"] as? Bool == false {
            throw IntegrationError("slack refused the message: \(json["error"] as? String ?? "unknown error")", retryable: false)
        }
    }

    /// The JSON body: the message's `channel`, `username`, icon and `link_names`, and one attachment.
    static func payload(_ c: SlackConfig, _ n: GroupNotification, _ templates: NotificationTemplates) throws(TemplateError) -> String {
        func render(_ text: String) throws(TemplateError) -> String { try templates.render(text, n) }
        var w = JSONObjectWriter()
        var attachment = JSONObjectWriter()
        attachment.string("title", try render(c.title))
        attachment.string("title_link", try render(c.titleLink))
        attachment.string("pretext", try render(c.pretext))
        attachment.string("text", try render(c.text))
        attachment.string("fallback", try render(c.fallback))
        attachment.string("callback_id", try render(c.callbackID))
        attachment.string("color", try render(c.color))
        attachment.string("footer", try render(c.footer))
        attachment.string("image_url", try render(c.imageURL))
        attachment.string("thumb_url", try render(c.thumbURL))
        attachment.raw("mrkdwn_in", "[" + c.mrkdwnIn.map(JSONString.quote).joined(separator: ",") + "]")
        if !c.fields.isEmpty {
            var items: [String] = []
            for f in c.fields {
                var field = JSONObjectWriter()
                field.string("title", try render(f.title))
                field.string("value", try render(f.value))
                field.raw("short", (f.short ?? c.shortFields) ? "true" : "false")
                items.append(field.finish())
            }
            attachment.raw("fields", "[" + items.joined(separator: ",") + "]")
        }
        if !c.actions.isEmpty {
            var items: [String] = []
            for a in c.actions {
                var action = JSONObjectWriter()
                action.string("type", try render(a.type))
                action.string("text", try render(a.text))
                action.string("url", try render(a.url))
                action.string("style", try render(a.style))
                action.string("name", try render(a.name))
                action.string("value", try render(a.value))
                if let confirm = a.confirm {
                    var cw = JSONObjectWriter()
                    for (key, value) in confirm { cw.string(key, try render(value)) }
                    action.raw("confirm", cw.finish())
                }
                items.append(action.finish())
            }
            attachment.raw("actions", "[" + items.joined(separator: ",") + "]")
        }
        w.string("channel", try render(c.channel))
        w.string("username", try render(c.username))
        w.string("icon_emoji", try render(c.iconEmoji))
        w.string("icon_url", try render(c.iconURL))
        if c.linkNames { w.raw("link_names", "true") }
        w.raw("attachments", "[" + attachment.finish() + "]")
        return w.finish()
    }
}
