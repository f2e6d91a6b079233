import ConfigSupport
import MetricModel

/// A named destination for notifications and the integrations that deliver to it.
public struct Receiver: Sendable {
    public var name: String
    public var emailConfigs: [EmailConfig] = []
    public var webhookConfigs: [WebhookConfig] = []
    public var slackConfigs: [SlackConfig] = []
    public var discordConfigs: [DiscordConfig] = []
    public var pagerdutyConfigs: [PagerDutyConfig] = []
    public var opsgenieConfigs: [OpsGenieConfig] = []
    public var telegramConfigs: [TelegramConfig] = []
    public var msteamsv2Configs: [MSTeamsV2Config] = []

    public init(name: String) { self.name = name }

    /// Integrations Alertmanager has and Vigil does not (yet): accepted with a warning, never used.
    static let otherIntegrations: Set<String> = [
        "jira_configs", "msteams_configs", "pushover_configs", "rocketchat_configs", "sns_configs",
        "victorops_configs", "webex_configs", "wechat_configs",
    ]

    static func decode(_ v: YAMLValue, global: AlertmanagerGlobal, _ ctx: inout DecodeContext) throws(ConfigError) -> Receiver {
        var m = try MappingReader(v, what: "receiver", ctx)
        guard let name = try m.string("name", ctx), !name.isEmpty else { throw ctx.error(v, "missing name in receiver") }
        var r = Receiver(name: name)
        for item in try m.sequence("email_configs", ctx) ?? [] {
            r.emailConfigs.append(try EmailConfig.decode(item, global: global, &ctx))
        }
        for item in try m.sequence("webhook_configs", ctx) ?? [] {
            r.webhookConfigs.append(try WebhookConfig.decode(item, global: global, &ctx))
        }
        for item in try m.sequence("slack_configs", ctx) ?? [] {
            r.slackConfigs.append(try SlackConfig.decode(item, global: global, &ctx))
        }
        for item in try m.sequence("discord_configs", ctx) ?? [] {
            r.discordConfigs.append(try DiscordConfig.decode(item, global: global, &ctx))
        }
        for item in try m.sequence("pagerduty_configs", ctx) ?? [] {
            r.pagerdutyConfigs.append(try PagerDutyConfig.decode(item, global: global, &ctx))
        }
        for item in try m.sequence("opsgenie_configs", ctx) ?? [] {
            r.opsgenieConfigs.append(try OpsGenieConfig.decode(item, global: global, &ctx))
        }
        for item in try m.sequence("telegram_configs", ctx) ?? [] {
            r.telegramConfigs.append(try TelegramConfig.decode(item, global: global, &ctx))
        }
        for item in try m.sequence("msteamsv2_configs", ctx) ?? [] {
            r.msteamsv2Configs.append(try MSTeamsV2Config.decode(item, global: global, &ctx))
        }
        try m.finish(&ctx, ignoredKnownFields: otherIntegrations)
        return r
    }
}

/// `email_configs` entry, with the `global.smtp_*` defaults filled in.
public struct EmailConfig: Sendable {
    public var sendResolved = false
    /// Comma-separated recipients; a template.
    public var to: String
    public var from: String
    /// `host:port` of the SMTP server.
    public var smarthost: String
    public var hello: String
    public var authUsername: String?
    public var authPassword: Secret?
    public var authPasswordFile: String?
    public var authSecret: Secret?
    public var authIdentity: String?
    public var requireTLS: Bool
    public var tlsConfig = HTTPClientConfig.TLSConfig()
    /// Header templates; `Subject`, `To` and `From` default to Vigil's own templates.
    public var headers: [(String, String)] = []
    public var html: String?
    public var text: String?

    static func decode(_ v: YAMLValue, global: AlertmanagerGlobal, _ ctx: inout DecodeContext) throws(ConfigError) -> EmailConfig {
        var m = try MappingReader(v, what: "email_config", ctx)
        let sendResolved = try m.bool("send_resolved", ctx) ?? false
        guard let to = try m.string("to", ctx), !to.isEmpty else { throw ctx.error(v, "missing to address in email config") }
        guard let from = try m.string("from", ctx) ?? global.smtpFrom, !from.isEmpty else {
            throw ctx.error(v, "no global SMTP from set")
        }
        guard let smarthost = try m.string("smarthost", ctx) ?? global.smtpSmarthost, !smarthost.isEmpty else {
            throw ctx.error(v, "no global SMTP smarthost set")
        }
        guard HostPort(smarthost) != nil else { throw ctx.error(v, "smarthost \(GoQuotedString.quote(smarthost)): expected host:port") }
        var c = EmailConfig(to: to, from: from, smarthost: smarthost, hello: global.smtpHello, requireTLS: global.smtpRequireTLS)
        c.sendResolved = sendResolved
        c.hello = try m.string("hello", ctx) ?? global.smtpHello
        c.authUsername = try m.string("auth_username", ctx) ?? global.smtpAuthUsername
        c.authPassword = try m.string("auth_password", ctx).map(Secret.init)
        c.authPasswordFile = try m.string("auth_password_file", ctx)
        if c.authPassword == nil && c.authPasswordFile == nil {
            c.authPassword = global.smtpAuthPassword
            c.authPasswordFile = global.smtpAuthPasswordFile
        }
        if c.authPassword != nil && c.authPasswordFile != nil {
            throw ctx.error(v, "at most one of auth_password & auth_password_file must be configured")
        }
        c.authSecret = try m.string("auth_secret", ctx).map(Secret.init) ?? global.smtpAuthSecret
        c.authIdentity = try m.string("auth_identity", ctx) ?? global.smtpAuthIdentity
        c.requireTLS = try m.bool("require_tls", ctx) ?? global.smtpRequireTLS
        if let t = m.take("tls_config") { c.tlsConfig = try HTTPClientConfig.decodeTLS(t, &ctx) }
        var headers: [(String, String)] = []
        for (k, value) in try m.stringMap("headers", ctx) ?? [] {
            let canonical = Self.canonicalHeader(k)
            if headers.contains(where: { $0.0 == canonical }) { throw ctx.error(v, "duplicate header \(GoQuotedString.quote(canonical)) in email config") }
            headers.append((canonical, value))
        }
        c.headers = headers
        c.html = try m.string("html", ctx)
        c.text = try m.string("text", ctx)
        try m.finish(&ctx)
        return c
    }

    /// `content-type` → `Content-Type`, as Go's textproto canonicalises header names.
    static func canonicalHeader(_ name: String) -> String {
        name.split(separator: "-", omittingEmptySubsequences: false).map { part in
            part.prefix(1).uppercased() + part.dropFirst().lowercased()
        }.joined(separator: "-")
    }
}

/// `webhook_configs` entry.
public struct WebhookConfig: Sendable {
    public var sendResolved = true
    public var url: String?
    public var urlFile: String?
    public var httpConfig: HTTPClientConfig
    /// At most this many alerts per notification (0: all); the rest are counted in `truncatedAlerts`.
    public var maxAlerts = 0
    /// 0: bounded only by the group's interval.
    public var timeout = PromDuration(milliseconds: 0)

    static func decode(_ v: YAMLValue, global: AlertmanagerGlobal, _ ctx: inout DecodeContext) throws(ConfigError) -> WebhookConfig {
        var m = try MappingReader(v, what: "webhook_config", ctx)
        var c = WebhookConfig(httpConfig: global.httpConfig)
        c.sendResolved = try m.bool("send_resolved", ctx) ?? true
        c.url = try m.string("url", ctx)
        c.urlFile = try m.string("url_file", ctx)
        if c.url == nil && c.urlFile == nil { throw ctx.error(v, "one of url or url_file must be configured") }
        if c.url != nil && c.urlFile != nil { throw ctx.error(v, "at most one of url & url_file must be configured") }
        if let u = c.url, !(u.hasPrefix("http://") || u.hasPrefix("https://")) {
            throw ctx.error(v, "unsupported scheme in webhook url \(GoQuotedString.quote(u)) (expected http or https)")
        }
        c.httpConfig = try m.httpConfig(or: c.httpConfig, &ctx)
        c.maxAlerts = try m.int("max_alerts", ctx) ?? 0
        c.timeout = try m.duration("timeout", ctx) ?? c.timeout
        try m.finish(&ctx)
        return c
    }
}

/// `host:port` split, accepting `[v6]:port`.
public struct HostPort: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}
