import ConfigSupport

/// How a scrape job takes native histograms: whether it stores them, whether it keeps a
/// histogram's classic buckets beside its native form, and the limits on their buckets. Read from
/// the global section and each job (the job's values win).
public struct NativeHistogramScrapeSettings: Sendable, Hashable {
    /// `scrape_native_histograms`; nil when unset: then a job stores native histograms whenever it
    /// scrapes the protobuf format (it lists `PrometheusProto` in `scrape_protocols`), as
    /// Prometheus 2 with `--enable-feature=native-histograms` does.
    public var scrapeNativeHistograms: Bool?
    /// `always_scrape_classic_histograms` (Prometheus 2's `scrape_classic_histograms`): a histogram
    /// exposed in both forms is stored as a native histogram and as `_bucket`, `_sum` and `_count`.
    public var alwaysScrapeClassicHistograms = false
    /// `native_histogram_bucket_limit`: a native histogram with more buckets is stored at a lower
    /// resolution until it fits; one that does not fit even at the lowest fails the scrape. 0: none.
    public var bucketLimit = 0
    /// `native_histogram_min_bucket_factor`: the resolution is lowered until neighbouring
    /// bucket bounds differ by at least this factor. 0 (or at most 1): none.
    public var minBucketFactor = 0.0

    public init() {}

    /// The protocols Prometheus prefers when native histograms are scraped: protobuf first.
    public static let protocolsWithProtobuf = ["PrometheusProto"] + GlobalConfig.defaultScrapeProtocols

    static func decode(from m: inout MappingReader, inherited: NativeHistogramScrapeSettings, _ ctx: DecodeContext) throws(ConfigError) -> NativeHistogramScrapeSettings {
        var s = inherited
        s.scrapeNativeHistograms = try m.bool("scrape_native_histograms", ctx) ?? s.scrapeNativeHistograms
        let older = try m.bool("scrape_classic_histograms", ctx)
        s.alwaysScrapeClassicHistograms = try m.bool("always_scrape_classic_histograms", ctx) ?? older ?? s.alwaysScrapeClassicHistograms
        s.bucketLimit = try m.int("native_histogram_bucket_limit", ctx) ?? s.bucketLimit
        s.minBucketFactor = try m.number("native_histogram_min_bucket_factor", ctx) ?? s.minBucketFactor
        return s
    }
}
