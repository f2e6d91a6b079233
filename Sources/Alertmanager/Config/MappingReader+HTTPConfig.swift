import ConfigSupport

extension MappingReader {
    /// The mapping's `http_config` (an integration's or the global one), or `fallback` when it
    /// has none; Prometheus-only fields in it are accepted with a warning.
    mutating func httpConfig(or fallback: HTTPClientConfig, _ ctx: inout DecodeContext) throws(ConfigError) -> HTTPClientConfig {
        guard let h = take("http_config") else { return fallback }
        var hm = try MappingReader(h, what: "http_config", ctx)
        let config = try HTTPClientConfig.decode(from: &hm, &ctx)
        try hm.finish(&ctx, ignoredKnownFields: HTTPClientConfig.ignoredKnownFields)
        return config
    }

    /// `webhook_url` or `webhook_url_file` (exactly one), the URL http or https: the credential of
    /// a webhook-style integration (Discord, Teams), checked as Alertmanager checks it.
    mutating func webhookURL(_ integration: String, in v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> (url: Secret?, file: String?) {
        let url = try string("webhook_url", ctx).map(Secret.init)
        let file = try string("webhook_url_file", ctx)
        if url == nil && file == nil { throw ctx.error(v, "one of webhook_url or webhook_url_file must be configured") }
        if url != nil && file != nil { throw ctx.error(v, "at most one of webhook_url & webhook_url_file must be configured") }
        if let u = url?.value, !(u.hasPrefix("http://") || u.hasPrefix("https://")) {
            throw ctx.error(v, "unsupported scheme in \(integration) webhook_url (expected http or https)")
        }
        return (url, file)
    }
}
