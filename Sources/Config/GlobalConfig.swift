import ConfigSupport
import MetricModel

/// The `global` section: defaults for every scrape job and rule group.
public struct GlobalConfig: Sendable, Hashable {
    /// Vigil's documented default: 15 s (Prometheus' built-in default is 1 m).
    public var scrapeInterval = PromDuration(milliseconds: 15_000)
    /// Vigil's documented default: 10 s.
    public var scrapeTimeout = PromDuration(milliseconds: 10_000)
    public var evaluationInterval = PromDuration(milliseconds: 15_000)
    public var ruleQueryOffset = PromDuration(milliseconds: 0)
    public var externalLabels: Labels = .empty
    public var limits = ScrapeLimits()
    public var scrapeProtocols: [String] = GlobalConfig.defaultScrapeProtocols
    /// `metric_name_validation_scheme` and `metric_name_escaping_scheme`, the jobs' defaults.
    public var nameSchemes = MetricNameSchemes()
    /// The jobs' defaults for native histograms.
    public var nativeHistograms = NativeHistogramScrapeSettings()

    public static let defaultScrapeProtocols = ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"]
    static let knownProtocols: Set<String> = ["PrometheusProto", "PrometheusText0.0.4", "PrometheusText1.0.0", "OpenMetricsText0.0.1", "OpenMetricsText1.0.0"]

    public init() {}

    static let ignoredKnownFields: Set<String> = [
        "query_log_file", "scrape_failure_log_file",
        "convert_classic_histograms_to_nhcb",
    ]

    static func decode(_ v: YAMLValue?, nativeHistogramsByDefault: Bool = false, _ ctx: inout DecodeContext) throws(ConfigError) -> GlobalConfig {
        var g = GlobalConfig()
        if nativeHistogramsByDefault {
            g.nativeHistograms.scrapeNativeHistograms = true
            g.scrapeProtocols = NativeHistogramScrapeSettings.protocolsWithProtobuf
        }
        guard let v else { return g }
        var m = try MappingReader(v, what: "global", ctx)
        g.scrapeInterval = try m.duration("scrape_interval", ctx) ?? g.scrapeInterval
        let timeout = try m.duration("scrape_timeout", ctx)
        g.scrapeTimeout = timeout ?? min(g.scrapeTimeout, g.scrapeInterval)
        g.evaluationInterval = try m.duration("evaluation_interval", ctx) ?? g.evaluationInterval
        g.ruleQueryOffset = try m.duration("rule_query_offset", ctx) ?? g.ruleQueryOffset
        if let ext = try m.stringMap("external_labels", ctx) {
            for (name, _) in ext where name.isEmpty || name.hasPrefix("__") {
                throw ctx.error(v, "\"\(name)\" is not a valid external label name")
            }
            g.externalLabels = Labels(ext.map { Label($0.0, $0.1) })
        }
        g.limits = try ScrapeLimits.decode(from: &m, defaults: g.limits, ctx)
        g.nativeHistograms = try NativeHistogramScrapeSettings.decode(from: &m, inherited: g.nativeHistograms, ctx)
        if let protocols = try m.stringList("scrape_protocols", ctx) {
            for p in protocols where !knownProtocols.contains(p) {
                throw ctx.error(v, "unknown scrape protocol \(p), supported: \(knownProtocols.sorted().joined(separator: ", "))")
            }
            g.scrapeProtocols = protocols
        } else {
            g.scrapeProtocols = g.nativeHistograms.scrapeNativeHistograms == true
                ? NativeHistogramScrapeSettings.protocolsWithProtobuf : GlobalConfig.defaultScrapeProtocols
        }
        g.nameSchemes = try MetricNameSchemes.decode(from: &m, inherited: nil, at: v, ctx)
        try m.finish(&ctx, ignoredKnownFields: ignoredKnownFields)
        if g.scrapeTimeout > g.scrapeInterval {
            throw ctx.error(v, "global scrape timeout greater than scrape interval")
        }
        return g
    }
}
