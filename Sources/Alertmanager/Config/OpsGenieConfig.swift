import ConfigSupport
import MetricModel

/// `opsgenie_configs` entry: an OpsGenie alert per group, created while it fires and closed when
/// it resolves, with Alertmanager's fields and defaults. Texts, details and responders are
/// templates; `tags` and `actions` are comma-separated.
public struct OpsGenieConfig: Sendable {
    /// Who is told (`responders`): one of id, name or username, and a type.
    public struct Responder: Sendable {
        public var id = ""
        public var name = ""
        public var username = ""
        /// `team`, `teams` (a comma-separated list of team names), `user`, `escalation` or `schedule`.
        public var type = ""
    }

    public var sendResolved = true
    /// The API key (a credential, never shown); defaults to the global `opsgenie_api_key`.
    public var apiKey: Secret?
    public var apiKeyFile: String?
    /// Ends with `/`; defaults to the global `opsgenie_api_url`.
    public var apiURL: String
    public var httpConfig: HTTPClientConfig
    public var message = #"{{ template "opsgenie.default.message" . }}"#
    public var description = #"{{ template "opsgenie.default.description" . }}"#
    public var source = #"{{ template "opsgenie.default.source" . }}"#
    public var details: [(String, String)] = []
    public var entity = ""
    public var responders: [Responder] = []
    public var actions = ""
    public var tags = ""
    public var note = ""
    public var priority = ""
    /// Update the message and description of an alert that is already open.
    public var updateAlerts = false

    static let defaultAPIURL = "https://api.opsgenie.com/"
    static let responderTypes: Set<String> = ["team", "teams", "user", "escalation", "schedule"]

    static func decode(_ v: YAMLValue, global: AlertmanagerGlobal, _ ctx: inout DecodeContext) throws(ConfigError) -> OpsGenieConfig {
        var m = try MappingReader(v, what: "opsgenie_config", ctx)
        var c = OpsGenieConfig(apiURL: global.opsgenieAPIURL ?? defaultAPIURL, httpConfig: global.httpConfig)
        c.sendResolved = try m.bool("send_resolved", ctx) ?? true
        c.apiKey = try m.string("api_key", ctx).map(Secret.init)
        c.apiKeyFile = try m.string("api_key_file", ctx)
        if c.apiKey != nil && c.apiKeyFile != nil { throw ctx.error(v, "at most one of api_key & api_key_file must be configured") }
        if c.apiKey == nil && c.apiKeyFile == nil {
            c.apiKey = global.opsgenieAPIKey
            c.apiKeyFile = global.opsgenieAPIKeyFile
        }
        if c.apiKey == nil && c.apiKeyFile == nil { throw ctx.error(v, "no global opsgenie_api_key set either inline or in a file") }
        c.apiURL = try m.string("api_url", ctx) ?? c.apiURL
        if !(c.apiURL.hasPrefix("http://") || c.apiURL.hasPrefix("https://")) { throw ctx.error(v, "unsupported scheme in OpsGenie api_url (expected http or https)") }
        if !c.apiURL.hasSuffix("/") { c.apiURL += "/" }
        c.httpConfig = try m.httpConfig(or: c.httpConfig, &ctx)
        c.message = try m.string("message", ctx) ?? c.message
        c.description = try m.string("description", ctx) ?? c.description
        c.source = try m.string("source", ctx) ?? c.source
        c.details = try m.stringMap("details", ctx) ?? []
        c.entity = try m.string("entity", ctx) ?? ""
        c.actions = try m.string("actions", ctx) ?? ""
        c.tags = try m.string("tags", ctx) ?? ""
        c.note = try m.string("note", ctx) ?? ""
        c.priority = try m.string("priority", ctx) ?? ""
        if !c.priority.isEmpty, !c.priority.contains("{{"), !["P1", "P2", "P3", "P4", "P5"].contains(c.priority) {
            throw ctx.error(v, "invalid priority \(GoQuotedString.quote(c.priority)): one of P1 to P5 (or a template)")
        }
        c.updateAlerts = try m.bool("update_alerts", ctx) ?? false
        for item in try m.sequence("responders", ctx) ?? [] {
            var r = try MappingReader(item, what: "opsgenie_config.responders", ctx)
            var responder = Responder()
            responder.id = try r.string("id", ctx) ?? ""
            responder.name = try r.string("name", ctx) ?? ""
            responder.username = try r.string("username", ctx) ?? ""
            responder.type = try r.string("type", ctx) ?? ""
            try r.finish(&ctx)
            if [responder.id, responder.name, responder.username].filter({ !$0.isEmpty }).count != 1 {
                throw ctx.error(item, "an OpsGenie responder needs exactly one of id, name or username")
            }
            if !responder.type.contains("{{"), !responderTypes.contains(responder.type.lowercased()) {
                throw ctx.error(item, "OpsGenie responder type \(GoQuotedString.quote(responder.type)) is not one of team, teams, user, escalation, schedule")
            }
            if responder.type.lowercased() == "teams", responder.name.isEmpty {
                throw ctx.error(item, "an OpsGenie responder of type teams needs the team names in name")
            }
            c.responders.append(responder)
        }
        try m.finish(&ctx)
        return c
    }
}
