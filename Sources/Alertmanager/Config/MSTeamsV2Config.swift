import ConfigSupport
import MetricModel

/// `msteamsv2_configs` entry: an Adaptive Card per group posted to a Microsoft Teams workflow
/// (Power Automate) webhook, with Alertmanager's fields and defaults. Title and text are templates.
public struct MSTeamsV2Config: Sendable {
    public var sendResolved = true
    /// The workflow's URL, which is the credential (never shown).
    public var webhookURL: Secret?
    public var webhookURLFile: String?
    public var title = #"{{ template "msteamsv2.default.title" . }}"#
    public var text = #"{{ template "msteamsv2.default.text" . }}"#
    public var httpConfig: HTTPClientConfig

    static func decode(_ v: YAMLValue, global: AlertmanagerGlobal, _ ctx: inout DecodeContext) throws(ConfigError) -> MSTeamsV2Config {
        var m = try MappingReader(v, what: "msteamsv2_config", ctx)
        var c = MSTeamsV2Config(httpConfig: global.httpConfig)
        c.sendResolved = try m.bool("send_resolved", ctx) ?? true
        (c.webhookURL, c.webhookURLFile) = try m.webhookURL("msteamsv2", in: v, &ctx)
        c.httpConfig = try m.httpConfig(or: c.httpConfig, &ctx)
        c.title = try m.string("title", ctx) ?? c.title
        c.text = try m.string("text", ctx) ?? c.text
        try m.finish(&ctx)
        return c
    }
}
