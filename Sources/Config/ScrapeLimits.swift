import ConfigSupport

/// Per-scrape limits; zero means unlimited, as in Prometheus.
public struct ScrapeLimits: Sendable, Hashable {
    public var sampleLimit = 0
    public var labelLimit = 0
    public var labelNameLengthLimit = 0
    public var labelValueLengthLimit = 0
    public var bodySizeLimit = 0
    public var targetLimit = 0
    public var keepDroppedTargets = 0

    public init() {}

    /// Reads limits, starting from `defaults` (the global section's values).
    static func decode(from m: inout MappingReader, defaults: ScrapeLimits, _ ctx: DecodeContext) throws(ConfigError) -> ScrapeLimits {
        var l = defaults
        l.sampleLimit = try m.int("sample_limit", ctx) ?? l.sampleLimit
        l.labelLimit = try m.int("label_limit", ctx) ?? l.labelLimit
        l.labelNameLengthLimit = try m.int("label_name_length_limit", ctx) ?? l.labelNameLengthLimit
        l.labelValueLengthLimit = try m.int("label_value_length_limit", ctx) ?? l.labelValueLengthLimit
        l.bodySizeLimit = try m.byteSize("body_size_limit", ctx) ?? l.bodySizeLimit
        l.targetLimit = try m.int("target_limit", ctx) ?? l.targetLimit
        l.keepDroppedTargets = try m.int("keep_dropped_targets", ctx) ?? l.keepDroppedTargets
        return l
    }
}
