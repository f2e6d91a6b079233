import ConfigSupport
import MetricModel

/// The `global` section: defaults for every receiver and how long an alert without `endsAt` lives.
public struct AlertmanagerGlobal: Sendable {
    /// An alert received without `endsAt` resolves this long after its last update.
    public var resolveTimeout = PromDuration(milliseconds: 5 * 60_000)
    public var smtpFrom: String?
    public var smtpSmarthost: String?
    public var smtpHello = "localhost"
    public var smtpAuthUsername: String?
    public var smtpAuthPassword: Secret?
    public var smtpAuthPasswordFile: String?
    public var smtpAuthIdentity: String?
    public var smtpAuthSecret: Secret?
    public var smtpRequireTLS = true
    public var httpConfig = HTTPClientConfig()
    /// Default `api_url` (or the file holding it) of every `slack_configs` entry.
    public var slackAPIURL: Secret?
    public var slackAPIURLFile: String?
    /// Default `url` of every `pagerduty_configs` entry.
    public var pagerdutyURL: String?
    /// Default `api_key` (or its file) and `api_url` of every `opsgenie_configs` entry.
    public var opsgenieAPIKey: Secret?
    public var opsgenieAPIKeyFile: String?
    public var opsgenieAPIURL: String?
    /// Default `api_url` of every `telegram_configs` entry.
    public var telegramAPIURL: String?

    public init() {}

    /// Settings of integrations Vigil does not offer; accepted with a warning.
    static let otherIntegrationFields: Set<String> = [
        "victorops_api_key", "victorops_api_key_file", "victorops_api_url",
        "wechat_api_url", "wechat_api_secret", "wechat_api_corp_id", "webex_api_url", "rocketchat_api_url",
        "rocketchat_api_token", "rocketchat_api_token_id", "jira_api_url",
    ]

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> AlertmanagerGlobal {
        var m = try MappingReader(v, what: "global", ctx)
        var g = AlertmanagerGlobal()
        g.resolveTimeout = try m.duration("resolve_timeout", ctx) ?? g.resolveTimeout
        g.smtpFrom = try m.string("smtp_from", ctx)
        g.smtpSmarthost = try m.string("smtp_smarthost", ctx)
        g.smtpHello = try m.string("smtp_hello", ctx) ?? g.smtpHello
        g.smtpAuthUsername = try m.string("smtp_auth_username", ctx)
        g.smtpAuthPassword = try m.string("smtp_auth_password", ctx).map(Secret.init)
        g.smtpAuthPasswordFile = try m.string("smtp_auth_password_file", ctx)
        g.smtpAuthIdentity = try m.string("smtp_auth_identity", ctx)
        g.smtpAuthSecret = try m.string("smtp_auth_secret", ctx).map(Secret.init)
        g.smtpRequireTLS = try m.bool("smtp_require_tls", ctx) ?? true
        if g.smtpAuthPassword != nil && g.smtpAuthPasswordFile != nil {
            throw ctx.error(v, "at most one of smtp_auth_password & smtp_auth_password_file must be configured")
        }
        g.slackAPIURL = try m.string("slack_api_url", ctx).map(Secret.init)
        g.slackAPIURLFile = try m.string("slack_api_url_file", ctx)
        if g.slackAPIURL != nil && g.slackAPIURLFile != nil {
            throw ctx.error(v, "at most one of slack_api_url & slack_api_url_file must be configured")
        }
        g.pagerdutyURL = try m.string("pagerduty_url", ctx)
        g.opsgenieAPIKey = try m.string("opsgenie_api_key", ctx).map(Secret.init)
        g.opsgenieAPIKeyFile = try m.string("opsgenie_api_key_file", ctx)
        if g.opsgenieAPIKey != nil && g.opsgenieAPIKeyFile != nil {
            throw ctx.error(v, "at most one of opsgenie_api_key & opsgenie_api_key_file must be configured")
        }
        g.opsgenieAPIURL = try m.string("opsgenie_api_url", ctx)
        g.telegramAPIURL = try m.string("telegram_api_url", ctx)
        g.httpConfig = try m.httpConfig(or: g.httpConfig, &ctx)
        try m.finish(&ctx, ignoredKnownFields: otherIntegrationFields)
        return g
    }
}
