import ConfigSupport
import Foundation
import GoTemplate
import MetricModel

/// Posts a group's Adaptive Card to a Microsoft Teams workflow webhook, as Alertmanager's
/// `msteamsv2` integration does: the title as a heading (red while firing, green when resolved)
/// and the text below it.
public struct MSTeamsV2Integration: Integration {
    public let config: MSTeamsV2Config
    public var kind: String { "msteamsv2" }
    public var sendResolved: Bool { config.sendResolved }

    public init(config: MSTeamsV2Config) { self.config = config }

    public func send(_ notification: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError) {
        let url = try JSONPost.url(inline: config.webhookURL?.value, file: config.webhookURLFile, what: "msteamsv2")
        let c = config
        _ = try await JSONPost.deliver("msteamsv2", to: url, httpConfig: c.httpConfig, deadlineMs: deadlineMs) { () throws(TemplateError) in
            try Self.payload(c, notification, templates)
        }
    }

    /// A `message` with one Adaptive Card attachment (schema 1.2, full width).
    static func payload(_ c: MSTeamsV2Config, _ n: GroupNotification, _ templates: NotificationTemplates) throws(TemplateError) -> String {
        var heading = JSONObjectWriter()
        heading.string("type", "TextBlock")
        heading.string("text", try templates.render(c.title, n))
        heading.string("weight", "Bolder")
        heading.string("size", "Medium")
        heading.raw("wrap", "true")
        heading.string("style", "heading")
        heading.string("color", n.status == "firing" ? "Attention" : "Good")
        var body = JSONObjectWriter()
        body.string("type", "TextBlock")
        body.string("text", try templates.render(c.text, n))
        body.raw("wrap", "true")
        var card = JSONObjectWriter()
        card.string("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
        card.string("type", "AdaptiveCard")
        card.string("version", "1.2")
        card.raw("body", "[" + heading.finish() + "," + body.finish() + "]")
        card.raw("msteams", #"{"width":"full"}"#)
        var attachment = JSONObjectWriter()
        attachment.string("contentType", "application/vnd.microsoft.card.adaptive")
        attachment.raw("content", card.finish())
        var w = JSONObjectWriter()
        w.string("type", "message")
        w.raw("attachments", "[" + attachment.finish() + "]")
        return w.finish()
    }
}
