import ConfigSupport
import MetricModel

/// `http_sd_configs`: target groups fetched as JSON from an HTTP endpoint every refresh interval.
public struct HTTPSDConfig: Sendable, Hashable {
    public var url: String
    public var refreshInterval: PromDuration
    /// Authentication, TLS and redirects for the request, as for a scrape.
    public var httpClient: HTTPClientConfig

    public init(url: String, refreshInterval: PromDuration = PromDuration(milliseconds: 60_000), httpClient: HTTPClientConfig = HTTPClientConfig()) {
        self.url = url
        self.refreshInterval = refreshInterval
        self.httpClient = httpClient
    }

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> HTTPSDConfig {
        var m = try MappingReader(v, what: "http_sd_config", ctx)
        guard let url = try m.string("url", ctx), !url.isEmpty else { throw ctx.error(v, "http_sd_config: url is missing") }
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.split(separator: "/").count >= 2 else {
            throw ctx.error(v, "http_sd_config: URL scheme must be 'http' or 'https' and the URL must name a host: \(url)")
        }
        let refresh = try m.duration("refresh_interval", ctx) ?? PromDuration(milliseconds: 60_000)
        guard refresh.milliseconds > 0 else { throw ctx.error(v, "http_sd_config: refresh_interval must be positive") }
        let http = try HTTPClientConfig.decode(from: &m, &ctx)
        try m.finish(&ctx, ignoredKnownFields: HTTPClientConfig.ignoredKnownFields)
        return HTTPSDConfig(url: url, refreshInterval: refresh, httpClient: http)
    }
}
