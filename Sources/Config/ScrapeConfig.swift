import ConfigSupport
import MetricModel

/// One `scrape_configs` entry: a job and how to find and scrape its targets.
public struct ScrapeConfig: Sendable, Hashable {
    public var jobName: String
    public var honorLabels = false
    public var honorTimestamps = true
    public var trackTimestampsStaleness = false
    public var scheme = "http"
    public var metricsPath = "/metrics"
    public var params: [String: [String]] = [:]
    public var scrapeInterval: PromDuration
    public var scrapeTimeout: PromDuration
    public var scrapeProtocols: [String]
    /// Which names the job accepts and how it asks targets to escape others.
    public var nameSchemes: MetricNameSchemes
    public var fallbackScrapeProtocol: String?
    public var enableCompression = true
    public var httpClient = HTTPClientConfig()
    public var staticConfigs: [TargetGroup] = []
    public var fileSDConfigs: [FileSDConfig] = []
    public var httpSDConfigs: [HTTPSDConfig] = []
    public var dnsSDConfigs: [DNSSDConfig] = []
    public var kubernetesSDConfigs: [KubernetesSDConfig] = []
    public var relabelConfigs: [RelabelConfig] = []
    public var metricRelabelConfigs: [RelabelConfig] = []
    public var limits: ScrapeLimits
    /// Native histograms: stored or not, classic buckets beside them, bucket limits.
    public var nativeHistograms: NativeHistogramScrapeSettings
    /// Vigil's `probe`: the targets are probed (blackbox exporter modules), not scraped.
    public var probe: ProbeConfig?

    public init(jobName: String, global: GlobalConfig = GlobalConfig()) {
        self.jobName = jobName
        self.scrapeInterval = global.scrapeInterval
        self.scrapeTimeout = global.scrapeTimeout
        self.scrapeProtocols = global.scrapeProtocols
        self.nameSchemes = global.nameSchemes
        self.limits = global.limits
        self.nativeHistograms = global.nativeHistograms
    }

    /// Whether the job stores the native histograms it scrapes (see
    /// ``NativeHistogramScrapeSettings/scrapeNativeHistograms``).
    public var storesNativeHistograms: Bool { nativeHistograms.scrapeNativeHistograms ?? scrapeProtocols.contains("PrometheusProto") }

    /// Service discovery mechanisms Prometheus has and Vigil does not implement yet.
    static let unsupportedDiscovery: Set<String> = [
        "azure_sd_configs", "consul_sd_configs", "digitalocean_sd_configs", "docker_sd_configs", "dockerswarm_sd_configs",
        "ec2_sd_configs", "eureka_sd_configs", "gce_sd_configs", "hetzner_sd_configs", 
        "ionos_sd_configs", "kuma_sd_configs", "lightsail_sd_configs", "linode_sd_configs",
        "marathon_sd_configs", "nerve_sd_configs", "nomad_sd_configs", "openstack_sd_configs", "ovhcloud_sd_configs",
        "puppetdb_sd_configs", "scaleway_sd_configs", "serverset_sd_configs", "triton_sd_configs", "uyuni_sd_configs",
        "vultr_sd_configs", "stackit_sd_configs",
    ]

    static let ignoredKnownFields: Set<String> = unsupportedDiscovery.union(HTTPClientConfig.ignoredKnownFields).union([
        "convert_classic_histograms_to_nhcb", "scrape_failure_log_file",
    ])

    static func decode(_ v: YAMLValue, global: GlobalConfig, _ ctx: inout DecodeContext) throws(ConfigError) -> ScrapeConfig {
        var m = try MappingReader(v, what: "scrape_config", ctx)
        guard let job = try m.string("job_name", ctx), !job.isEmpty else {
            throw ctx.error(v, "job_name is empty")
        }
        var c = ScrapeConfig(jobName: job, global: global)
        c.honorLabels = try m.bool("honor_labels", ctx) ?? false
        c.honorTimestamps = try m.bool("honor_timestamps", ctx) ?? true
        c.trackTimestampsStaleness = try m.bool("track_timestamps_staleness", ctx) ?? false
        c.scheme = try m.string("scheme", ctx) ?? "http"
        guard c.scheme == "http" || c.scheme == "https" else {
            throw ctx.error(v, "invalid scheme \"\(c.scheme)\" in job \(job): must be http or https")
        }
        c.metricsPath = try m.string("metrics_path", ctx) ?? "/metrics"
        if let pv = m.take("params") {
            guard case .mapping(let pairs) = pv.kind else { throw ctx.error(pv, "field params: expected a mapping of lists") }
            for p in pairs {
                guard case .sequence(let items) = p.value.kind else { throw ctx.error(p.value, "field params: expected a list of strings") }
                var values: [String] = []
                for i in items { values.append(try i.asString("params", ctx)) }
                c.params[p.key] = values
            }
        }
        let interval = try m.duration("scrape_interval", ctx)
        let timeout = try m.duration("scrape_timeout", ctx)
        c.scrapeInterval = interval ?? global.scrapeInterval
        // As in Prometheus: an unset timeout is the global one, capped by the job's interval.
        c.scrapeTimeout = timeout ?? min(global.scrapeTimeout, c.scrapeInterval)
        if c.scrapeTimeout > c.scrapeInterval {
            throw ctx.error(v, "scrape timeout greater than scrape interval for scrape config with job name \"\(job)\"")
        }
        if c.scrapeInterval.milliseconds <= 0 { throw ctx.error(v, "scrape interval must be positive in job \"\(job)\"") }
        c.nativeHistograms = try NativeHistogramScrapeSettings.decode(from: &m, inherited: global.nativeHistograms, ctx)
        let protocolsDefault = c.nativeHistograms.scrapeNativeHistograms == true && global.nativeHistograms.scrapeNativeHistograms != true
            ? NativeHistogramScrapeSettings.protocolsWithProtobuf : global.scrapeProtocols
        c.scrapeProtocols = try m.stringList("scrape_protocols", ctx) ?? protocolsDefault
        for p in c.scrapeProtocols where !GlobalConfig.knownProtocols.contains(p) {
            throw ctx.error(v, "unknown scrape protocol \(p)")
        }
        c.nameSchemes = try MetricNameSchemes.decode(from: &m, inherited: global.nameSchemes, at: v, ctx)
        c.fallbackScrapeProtocol = try m.string("fallback_scrape_protocol", ctx)
        c.enableCompression = try m.bool("enable_compression", ctx) ?? true
        c.httpClient = try HTTPClientConfig.decode(from: &m, &ctx)
        for (i, item) in (try m.sequence("static_configs", ctx) ?? []).enumerated() {
            c.staticConfigs.append(try TargetGroup.decode(item, source: "\(job)/static/\(i)", &ctx))
        }
        for item in try m.sequence("file_sd_configs", ctx) ?? [] {
            c.fileSDConfigs.append(try FileSDConfig.decode(item, &ctx))
        }
        for item in try m.sequence("http_sd_configs", ctx) ?? [] {
            c.httpSDConfigs.append(try HTTPSDConfig.decode(item, &ctx))
        }
        for item in try m.sequence("dns_sd_configs", ctx) ?? [] {
            c.dnsSDConfigs.append(try DNSSDConfig.decode(item, &ctx))
        }
        for item in try m.sequence("kubernetes_sd_configs", ctx) ?? [] {
            c.kubernetesSDConfigs.append(try KubernetesSDConfig.decode(item, &ctx))
        }
        c.relabelConfigs = try RelabelConfig.decodeList(try m.sequence("relabel_configs", ctx), &ctx, nameValidation: c.nameSchemes.validation)
        c.metricRelabelConfigs = try RelabelConfig.decodeList(try m.sequence("metric_relabel_configs", ctx), &ctx,
                                                               nameValidation: c.nameSchemes.validation)
        c.limits = try ScrapeLimits.decode(from: &m, defaults: global.limits, ctx)
        if let pv = m.take("probe") { c.probe = try ProbeConfig.decode(pv, &ctx) }
        try m.finish(&ctx, ignoredKnownFields: ignoredKnownFields)
        return c
    }
}
