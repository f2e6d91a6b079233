/// Which fields of a configuration file hold secrets: wherever a configuration is shown (the
/// status APIs, the UI), their values appear as `<secret>`, as Prometheus and Alertmanager show
/// them. Paths (`*_file`) are shown, never what the files hold.
public enum SecretFields {
    /// Secret fields of `prometheus.yml` (and of every `http_config`): credentials, tokens,
    /// inline TLS keys and the secret values of `http_headers`.
    public static let prometheus: Set<String> = [
        "password", "bearer_token", "credentials", "client_secret", "secret", "secrets", "key", "token",
    ]

    /// Secret fields of `alertmanager.yml`: those of every `http_config`, SMTP credentials, the
    /// keys and tokens of integrations, and their URLs, which carry tokens of their own (a Slack
    /// or Teams webhook URL is the credential).
    public static let alertmanager: Set<String> = prometheus.union([
        "smtp_auth_password", "smtp_auth_secret", "auth_password", "auth_secret",
        "api_key", "api_secret", "api_token", "routing_key", "service_key", "user_key", "bot_token",
        "opsgenie_api_key", "victorops_api_key", "wechat_api_secret", "rocketchat_api_token", "rocketchat_api_token_id",
        "url", "api_url", "webhook_url", "pagerduty_url",
    ])

    /// Whether `key` of `alertmanager.yml` holds a secret (also every `*_api_url`).
    public static func isAlertmanagerSecret(_ key: String) -> Bool {
        alertmanager.contains(key) || key.hasSuffix("_api_url")
    }

    /// `text` with the password of a URL's user information replaced by `<secret>`
    /// (`https://user:<secret>@host/`); any other text unchanged.
    public static func redactingURLPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else { return text }
        let userinfo = text[scheme.upperBound..<at]
        guard !userinfo.contains("/"), let colon = userinfo.firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "<secret>" + String(text[at...])
    }
}
