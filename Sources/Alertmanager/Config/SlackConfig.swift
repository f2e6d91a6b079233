import ConfigSupport
import MetricModel

/// `slack_configs` entry: a message with one attachment posted to an incoming-webhook URL, with
/// Alertmanager's fields and defaults. Text fields are templates.
public struct SlackConfig: Sendable {
    /// A button under the message (`actions`).
    public struct Action: Sendable {
        public var type: String
        public var text: String
        public var url: String
        public var style: String
        public var name: String
        public var value: String
        /// `confirm`: title, text, ok_text, dismiss_text.
        public var confirm: [(String, String)]?
    }

    /// A field of the attachment (`fields`).
    public struct Field: Sendable {
        public var title: String
        public var value: String
        /// nil: `short_fields` decides.
        public var short: Bool?
    }

    public var sendResolved = false
    /// The webhook URL, which is the credential (never shown).
    public var apiURL: Secret?
    public var apiURLFile: String?
    public var httpConfig: HTTPClientConfig
    public var channel = ""
    public var username = #"{{ template "slack.default.username" . }}"#
    public var color = #"{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}"#
    public var title = #"{{ template "slack.default.title" . }}"#
    public var titleLink = #"{{ template "slack.default.titlelink" . }}"#
    public var pretext = #"{{ template "slack.default.pretext" . }}"#
    public var text = #"{{ template "slack.default.text" . }}"#
    public var footer = #"{{ template "slack.default.footer" . }}"#
    public var fallback = #"{{ template "slack.default.fallback" . }}"#
    public var callbackID = #"{{ template "slack.default.callbackid" . }}"#
    public var iconEmoji = #"{{ template "slack.default.iconemoji" . }}"#
    public var iconURL = #"{{ template "slack.default.iconurl" . }}"#
    public var imageURL = ""
    public var thumbURL = ""
    public var linkNames = false
    public var shortFields = false
    public var mrkdwnIn = ["fallback", "pretext", "text"]
    public var fields: [Field] = []
    public var actions: [Action] = []

    /// Fields of newer Alertmanagers (the Slack app API) accepted with a warning, not used.
    static let newerFields: Set<String> = ["app_token", "app_token_file", "app_url", "message_text", "timeout", "update_message"]

    static func decode(_ v: YAMLValue, global: AlertmanagerGlobal, _ ctx: inout DecodeContext) throws(ConfigError) -> SlackConfig {
        var m = try MappingReader(v, what: "slack_config", ctx)
        var c = SlackConfig(httpConfig: global.httpConfig)
        c.sendResolved = try m.bool("send_resolved", ctx) ?? false
        c.apiURL = try m.string("api_url", ctx).map(Secret.init)
        c.apiURLFile = try m.string("api_url_file", ctx)
        if c.apiURL != nil && c.apiURLFile != nil { throw ctx.error(v, "at most one of api_url & api_url_file must be configured") }
        if c.apiURL == nil && c.apiURLFile == nil {
            c.apiURL = global.slackAPIURL
            c.apiURLFile = global.slackAPIURLFile
        }
        if c.apiURL == nil && c.apiURLFile == nil { throw ctx.error(v, "no global Slack API URL set either inline or in a file") }
        if let u = c.apiURL?.value, !(u.hasPrefix("http://") || u.hasPrefix("https://")) {
            throw ctx.error(v, "unsupported scheme in slack api_url (expected http or https)")
        }
        c.httpConfig = try m.httpConfig(or: c.httpConfig, &ctx)
        c.channel = try m.string("channel", ctx) ?? c.channel
        c.username = try m.string("username", ctx) ?? c.username
        c.color = try m.string("color", ctx) ?? c.color
        c.title = try m.string("title", ctx) ?? c.title
        c.titleLink = try m.string("title_link", ctx) ?? c.titleLink
        c.pretext = try m.string("pretext", ctx) ?? c.pretext
        c.text = try m.string("text", ctx) ?? c.text
        c.footer = try m.string("footer", ctx) ?? c.footer
        c.fallback = try m.string("fallback", ctx) ?? c.fallback
        c.callbackID = try m.string("callback_id", ctx) ?? c.callbackID
        c.iconEmoji = try m.string("icon_emoji", ctx) ?? c.iconEmoji
        c.iconURL = try m.string("icon_url", ctx) ?? c.iconURL
        c.imageURL = try m.string("image_url", ctx) ?? c.imageURL
        c.thumbURL = try m.string("thumb_url", ctx) ?? c.thumbURL
        c.linkNames = try m.bool("link_names", ctx) ?? false
        c.shortFields = try m.bool("short_fields", ctx) ?? false
        c.mrkdwnIn = try m.stringList("mrkdwn_in", ctx) ?? c.mrkdwnIn
        for item in try m.sequence("fields", ctx) ?? [] {
            var f = try MappingReader(item, what: "slack_config.fields", ctx)
            guard let title = try f.string("title", ctx), !title.isEmpty else { throw ctx.error(item, "missing title in Slack field configuration") }
            guard let value = try f.string("value", ctx), !value.isEmpty else { throw ctx.error(item, "missing value in Slack field configuration") }
            c.fields.append(Field(title: title, value: value, short: try f.bool("short", ctx)))
            try f.finish(&ctx)
        }
        for item in try m.sequence("actions", ctx) ?? [] {
            var a = try MappingReader(item, what: "slack_config.actions", ctx)
            guard let type = try a.string("type", ctx), !type.isEmpty else { throw ctx.error(item, "missing type in Slack action configuration") }
            guard let text = try a.string("text", ctx), !text.isEmpty else { throw ctx.error(item, "missing text in Slack action configuration") }
            let url = try a.string("url", ctx) ?? ""
            let name = try a.string("name", ctx) ?? ""
            if url.isEmpty && name.isEmpty { throw ctx.error(item, "missing name or url in Slack action configuration") }
            var action = Action(type: type, text: text, url: url, style: try a.string("style", ctx) ?? "", name: name,
                                value: try a.string("value", ctx) ?? "")
            if let confirm = a.take("confirm") {
                var cm = try MappingReader(confirm, what: "slack_config.actions.confirm", ctx)
                guard let ctext = try cm.string("text", ctx), !ctext.isEmpty else { throw ctx.error(confirm, "missing text in Slack confirmation field configuration") }
                var pairs = [("text", ctext)]
                for key in ["title", "ok_text", "dismiss_text"] {
                    if let value = try cm.string(key, ctx) { pairs.append((key, value)) }
                }
                try cm.finish(&ctx)
                action.confirm = pairs
            }
            try a.finish(&ctx)
            c.actions.append(action)
        }
        try m.finish(&ctx, ignoredKnownFields: newerFields)
        return c
    }
}
