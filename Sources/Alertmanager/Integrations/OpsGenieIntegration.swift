import ConfigSupport
import Foundation
import GoTemplate
import MetricModel

/// Keeps an OpsGenie alert in step with a group, as Alertmanager does: created (with the group
/// key's hash as its alias, so OpsGenie deduplicates repeats) while the group fires, its message
/// and description updated when `update_alerts` asks, and closed when the group resolves.
public struct OpsGenieIntegration: Integration {
    public let config: OpsGenieConfig
    public var kind: String { "opsgenie" }
    public var sendResolved: Bool { config.sendResolved }

    public init(config: OpsGenieConfig) { self.config = config }

    /// OpsGenie's limits, in characters: message, description and source.
    static let messageLimit = 130, descriptionLimit = 15_000, sourceLimit = 100

    public func send(_ notification: GroupNotification, templates: NotificationTemplates, deadlineMs: Int64) async throws(IntegrationError) {
        let key = try JSONPost.credential(inline: config.apiKey?.value, file: config.apiKeyFile, what: "opsgenie api_key")
        let authorization = "GenieKey " + key
        let alias = GroupKeyHash.of(notification.groupKey)
        let alertURL = config.apiURL + "v2/alerts/" + alias
        let c = config
        func render(_ text: String) throws(TemplateError) -> String { try templates.render(text, notification) }
        guard notification.status == "firing" else {
            _ = try await JSONPost.deliver("opsgenie", to: alertURL + "/close?identifierType=alias", httpConfig: c.httpConfig,
                                           authorization: authorization, deadlineMs: deadlineMs) { () throws(TemplateError) in
                var w = JSONObjectWriter()
                w.string("source", TextLimit.cut(try render(c.source), to: Self.sourceLimit))
                return w.finish()
            }
            return
        }
        _ = try await JSONPost.deliver("opsgenie", to: c.apiURL + "v2/alerts", httpConfig: c.httpConfig, authorization: authorization,
                                       deadlineMs: deadlineMs) { () throws(TemplateError) in
            try Self.createRequest(c, alias: alias, notification, templates)
        }
        guard c.updateAlerts else { return }
        _ = try await JSONPost.deliver("opsgenie", to: alertURL + "/message?identifierType=alias", httpConfig: c.httpConfig,
                                       authorization: authorization, deadlineMs: deadlineMs) { () throws(TemplateError) in
            var w = JSONObjectWriter()
            w.string("message", TextLimit.cut(try render(c.message), to: Self.messageLimit))
            return w.finish()
        }
        _ = try await JSONPost.deliver("opsgenie", to: alertURL + "/description?identifierType=alias", httpConfig: c.httpConfig,
                                       authorization: authorization, deadlineMs: deadlineMs) { () throws(TemplateError) in
            var w = JSONObjectWriter()
            w.string("description", TextLimit.cut(try render(c.description), to: Self.descriptionLimit))
            return w.finish()
        }
    }

    /// The create-alert request: alias, message, description, details, source, responders,
    /// tags, note, priority, entity and actions.
    static func createRequest(_ c: OpsGenieConfig, alias: String, _ n: GroupNotification, _ templates: NotificationTemplates) throws(TemplateError) -> String {
        func render(_ text: String) throws(TemplateError) -> String { try templates.render(text, n) }
        func list(_ text: String) throws(TemplateError) -> String {
            let items = try render(text).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return "[" + items.map(JSONString.quote).joined(separator: ",") + "]"
        }
        var w = JSONObjectWriter()
        w.string("alias", alias)
        w.string("message", TextLimit.cut(try render(c.message), to: messageLimit))
        w.string("description", TextLimit.cut(try render(c.description), to: descriptionLimit))
        var details = JSONObjectWriter()
        for (name, text) in c.details { details.raw(name, JSONString.quote(try render(text))) }
        w.raw("details", details.finish())
        w.string("source", TextLimit.cut(try render(c.source), to: sourceLimit))
        var responders: [String] = []
        for r in c.responders {
            let type = try render(r.type).lowercased()
            if type == "teams" {
                for team in try render(r.name).split(separator: ",") {
                    var t = JSONObjectWriter()
                    t.string("name", team.trimmingCharacters(in: .whitespaces))
                    t.string("type", "team")
                    responders.append(t.finish())
                }
                continue
            }
            var one = JSONObjectWriter()
            one.string("id", try render(r.id))
            one.string("name", try render(r.name))
            one.string("username", try render(r.username))
            one.string("type", type)
            responders.append(one.finish())
        }
        if !responders.isEmpty { w.raw("responders", "[" + responders.joined(separator: ",") + "]") }
        if !c.tags.isEmpty { w.raw("tags", try list(c.tags)) }
        w.string("note", try render(c.note))
        w.string("priority", try render(c.priority))
        w.string("entity", try render(c.entity))
        if !c.actions.isEmpty { w.raw("actions", try list(c.actions)) }
        return w.finish()
    }
}
