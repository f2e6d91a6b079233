import ConfigSupport
import Foundation
import GoTemplate
import MetricModel

/// Sends a group's state to PagerDuty as Alertmanager does: a `trigger` event while it fires and
/// a `resolve` event when it resolves, deduplicated by the group key's hash, to the Events API
/// v2 (`routing_key`) or v1 (`service_key`).
public struct PagerDutyIntegration: Integration {
    public let config: PagerDutyConfig
    public var kind: String { "pagerduty" }
    public var sendResolved: Bool { config.sendResolved }

    public init(config: PagerDutyConfig) { self.config = config }

    /// PagerDuty's limit on an event's summary (v2) or description (v1), in characters.
    static let summaryLimit = 1024

    public func send(_ notification: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError) {
        let key = config.usesEventsV2
            ? try JSONPost.credential(inline: config.routingKey?.value, file: config.routingKeyFile, what: "pagerduty routing_key")
            : try JSONPost.credential(inline: config.serviceKey?.value, file: config.serviceKeyFile, what: "pagerduty service_key")
        _ = try await JSONPost.deliver("pagerduty", to: config.url, httpConfig: config.httpConfig, deadlineMs: deadlineMs) { () throws(TemplateError) in
            config.usesEventsV2 ? try Self.eventV2(config, key: key, notification, templates) : try Self.eventV1(config, key: key, notification, templates)
        }
    }

    /// An Events API v2 event: `routing_key`, `event_action`, `dedup_key`, the `payload`
    /// (summary, source, severity, class, component, group, custom details), images and links.
    static func eventV2(_ c: PagerDutyConfig, key: String, _ n: GroupNotification, _ templates: NotificationTemplates) throws(TemplateError) -> String {
        func render(_ text: String) throws(TemplateError) -> String { try templates.render(text, n) }
        let client = try render(c.client)
        var payload = JSONObjectWriter()
        payload.string("summary", TextLimit.cut(try render(c.description), to: summaryLimit))
        let source = try render(c.source)
        payload.string("source", source.isEmpty ? client : source)
        payload.string("severity", try render(c.severity))
        payload.raw("custom_details", try details(c, render))
        payload.string("class", try render(c.eventClass))
        payload.string("component", try render(c.component))
        payload.string("group", try render(c.group))
        var w = JSONObjectWriter()
        w.string("routing_key", key)
        w.string("event_action", n.status == "firing" ? "trigger" : "resolve")
        w.string("dedup_key", GroupKeyHash.of(n.groupKey))
        var images: [String] = []
        for image in c.images {
            var i = JSONObjectWriter()
            let src = try render(image.src)
            guard !src.isEmpty else { continue }
            i.string("src", src)
            i.string("alt", try render(image.alt))
            i.string("href", try render(image.href))
            images.append(i.finish())
        }
        if !images.isEmpty { w.raw("images", "[" + images.joined(separator: ",") + "]") }
        var links: [String] = []
        for link in c.links {
            var l = JSONObjectWriter()
            let href = try render(link.href)
            guard !href.isEmpty else { continue }
            l.string("href", href)
            l.string("text", try render(link.text))
            links.append(l.finish())
        }
        if !links.isEmpty { w.raw("links", "[" + links.joined(separator: ",") + "]") }
        w.string("client", client)
        w.string("client_url", try render(c.clientURL))
        w.raw("payload", payload.finish())
        return w.finish()
    }

    /// An Events API v1 event: `service_key`, `event_type`, `incident_key`, description, client and details.
    static func eventV1(_ c: PagerDutyConfig, key: String, _ n: GroupNotification, _ templates: NotificationTemplates) throws(TemplateError) -> String {
        func render(_ text: String) throws(TemplateError) -> String { try templates.render(text, n) }
        var w = JSONObjectWriter()
        w.string("service_key", key)
        w.string("event_type", n.status == "firing" ? "trigger" : "resolve")
        w.string("incident_key", GroupKeyHash.of(n.groupKey))
        w.string("description", TextLimit.cut(try render(c.description), to: summaryLimit))
        w.string("client", try render(c.client))
        w.string("client_url", try render(c.clientURL))
        w.raw("details", try details(c, render))
        return w.finish()
    }

    private static func details(_ c: PagerDutyConfig, _ render: (String) throws(TemplateError) -> String) throws(TemplateError) -> String {
        var d = JSONObjectWriter()
        for (name, text) in c.details { d.raw(name, JSONString.quote(try render(text))) }
        return d.finish()
    }
}
