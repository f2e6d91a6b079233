import MetricModel

/// A set of targets sharing labels: one `static_configs` entry or one group from a discovery file.
public struct TargetGroup: Sendable, Hashable {
    /// `host:port` addresses.
    public var targets: [String]
    public var labels: Labels
    /// Where the group came from (for target identity across discovery updates).
    public var source: String

    public init(targets: [String], labels: Labels = .empty, source: String = "") {
        self.targets = targets
        self.labels = labels
        self.source = source
    }

    static func decode(_ v: YAMLValue, source: String, _ ctx: inout DecodeContext) throws(ConfigError) -> TargetGroup {
        var m = try MappingReader(v, what: "static_config", ctx)
        let targets = try m.stringList("targets", ctx) ?? []
        let labels = try m.stringMap("labels", ctx) ?? []
        try m.finish(&ctx)
        for (name, _) in labels where name.isEmpty {
            throw ctx.error(v, "\"\(name)\" is not a valid label name")
        }
        return TargetGroup(targets: targets, labels: Labels(labels.map { Label($0.0, $0.1) }), source: source)
    }
}

/// `file_sd_configs`: target groups read from JSON or YAML files matching globs.
public struct FileSDConfig: Sendable, Hashable {
    public var files: [String]
    public var refreshInterval: PromDuration

    public init(files: [String], refreshInterval: PromDuration = PromDuration(milliseconds: 300_000)) {
        self.files = files
        self.refreshInterval = refreshInterval
    }

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> FileSDConfig {
        var m = try MappingReader(v, what: "file_sd_config", ctx)
        let files = try m.stringList("files", ctx) ?? []
        let refresh = try m.duration("refresh_interval", ctx) ?? PromDuration(milliseconds: 300_000)
        try m.finish(&ctx)
        for f in files {
            let lower = f.lowercased()
            guard lower.hasSuffix(".json") || lower.hasSuffix(".yml") || lower.hasSuffix(".yaml") else {
                throw ctx.error(v, "unsupported file extension of \"\(f)\": file SD files must be .json, .yml or .yaml")
            }
        }
        return FileSDConfig(files: files, refreshInterval: refresh)
    }
}
