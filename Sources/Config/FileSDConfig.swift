import ConfigSupport
import MetricModel

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
