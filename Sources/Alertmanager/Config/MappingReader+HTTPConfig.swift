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
}
