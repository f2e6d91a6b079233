import ConfigSupport
import MetricModel

/// The `alerting` section: where alerts go and how their labels are rewritten on the way.
public struct AlertingConfig: Sendable {
    public var alertRelabelConfigs: [RelabelConfig] = []
    public var alertmanagers: [AlertmanagerConfig] = []
    public init() {}

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> AlertingConfig {
        var m = try MappingReader(v, what: "alerting", ctx)
        var c = AlertingConfig()
        c.alertRelabelConfigs = try RelabelConfig.decodeList(try m.sequence("alert_relabel_configs", ctx), &ctx)
        for item in try m.sequence("alertmanagers", ctx) ?? [] {
            c.alertmanagers.append(try AlertmanagerConfig.decode(item, &ctx))
        }
        try m.finish(&ctx)
        return c
    }
}

/// One `alertmanagers` entry: a set of Alertmanager instances reached the same way.
public struct AlertmanagerConfig: Sendable {
    public var scheme = "http"
    public var pathPrefix = "/"
    public var timeout = PromDuration(milliseconds: 10_000)
    public var apiVersion = "v2"
    /// `host:port` of each instance.
    public var targets: [String] = []
    public var httpClient = HTTPClientConfig()
    public var relabelConfigs: [RelabelConfig] = []

    public init() {}

    /// The API v2 endpoint of one instance.
    public func alertsURL(for target: String) -> String {
        var prefix = pathPrefix.hasPrefix("/") ? pathPrefix : "/" + pathPrefix
        if prefix.hasSuffix("/") { prefix.removeLast() }
        return "\(scheme)://\(target)\(prefix)/api/v2/alerts"
    }

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> AlertmanagerConfig {
        var m = try MappingReader(v, what: "alertmanager_config", ctx)
        var c = AlertmanagerConfig()
        c.scheme = try m.string("scheme", ctx) ?? "http"
        guard c.scheme == "http" || c.scheme == "https" else { throw ctx.error(v, "unknown scheme \"\(c.scheme)\"") }
        c.pathPrefix = try m.string("path_prefix", ctx) ?? "/"
        c.timeout = try m.duration("timeout", ctx) ?? c.timeout
        c.apiVersion = try m.string("api_version", ctx) ?? "v2"
        guard c.apiVersion == "v2" else { throw ctx.error(v, "expected Alertmanager api version to be one of [v2] but got \(c.apiVersion)") }
        c.httpClient = try HTTPClientConfig.decode(from: &m, &ctx)
        for (i, item) in (try m.sequence("static_configs", ctx) ?? []).enumerated() {
            c.targets += try TargetGroup.decode(item, source: "alertmanager/\(i)", &ctx).targets
        }
        c.relabelConfigs = try RelabelConfig.decodeList(try m.sequence("relabel_configs", ctx), &ctx)
        try m.finish(&ctx, ignoredKnownFields: ["file_sd_configs", "dns_sd_configs", "kubernetes_sd_configs", "consul_sd_configs",
                                                "ec2_sd_configs", "http_sd_configs", "sigv4", "oauth2"])
        return c
    }
}
