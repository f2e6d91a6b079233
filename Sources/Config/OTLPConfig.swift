import ConfigSupport
import Foundation
import MetricModel

/// The `otlp` section: how metrics received over OTLP become Prometheus series.
public struct OTLPConfig: Sendable, Hashable {
    /// How OpenTelemetry metric and attribute names become Prometheus names (`translation_strategy`).
    public enum TranslationStrategy: String, Sendable, Hashable, CaseIterable {
        /// Characters outside `[a-zA-Z0-9_:]` become `_`; unit and type suffixes are added
        /// (`http.server.duration` in seconds → `http_server_duration_seconds`). The default.
        case underscoreEscapingWithSuffixes = "UnderscoreEscapingWithSuffixes"
        /// As above without the unit and `_total` suffixes.
        case underscoreEscapingWithoutSuffixes = "UnderscoreEscapingWithoutSuffixes"
        /// Names kept as sent, unit and type suffixes added (needs UTF-8 names).
        case noUTF8EscapingWithSuffixes = "NoUTF8EscapingWithSuffixes"
        /// Metric and attribute names kept exactly as sent (needs UTF-8 names).
        case noTranslation = "NoTranslation"

        /// Whether names keep characters outside `[a-zA-Z0-9_:]`.
        public var keepsUTF8: Bool { self == .noUTF8EscapingWithSuffixes || self == .noTranslation }
    }

    /// Resource attributes copied onto every series of their resource as labels.
    public var promoteResourceAttributes: [String] = []
    /// Whether every resource attribute but those in ``ignoreResourceAttributes`` is promoted.
    public var promoteAllResourceAttributes = false
    /// Attributes left out when ``promoteAllResourceAttributes`` is set.
    public var ignoreResourceAttributes: [String] = []
    public var translationStrategy = TranslationStrategy.underscoreEscapingWithSuffixes
    /// Whether `service.name`, `service.namespace` and `service.instance.id` stay in `target_info`
    /// besides making `job` and `instance`.
    public var keepIdentifyingResourceAttributes = false
    /// Whether the instrumentation scope's name, version, schema URL and attributes label every
    /// series (`otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url`, `otel_scope_<attribute>`).
    public var promoteScopeMetadata = false
    /// `convert_histograms_to_nhcb`: explicit-bucket histograms become native histograms with
    /// custom buckets (one series) instead of `_bucket`, `_sum` and `_count` series.
    public var convertHistogramsToNHCB = false

    public init() {}

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> OTLPConfig {
        var m = try MappingReader(v, what: "otlp", ctx)
        var c = OTLPConfig()
        c.promoteResourceAttributes = try attributeList("promote_resource_attributes", &m, v, ctx)
        c.promoteAllResourceAttributes = try m.bool("promote_all_resource_attributes", ctx) ?? false
        c.ignoreResourceAttributes = try attributeList("ignore_resource_attributes", &m, v, ctx)
        if c.promoteAllResourceAttributes, !c.promoteResourceAttributes.isEmpty {
            throw ctx.error(v, "otlp: promote_all_resource_attributes and promote_resource_attributes are mutually exclusive")
        }
        if !c.ignoreResourceAttributes.isEmpty, !c.promoteAllResourceAttributes {
            throw ctx.error(v, "otlp: ignore_resource_attributes is only valid with promote_all_resource_attributes")
        }
        if let raw = m.take("translation_strategy") {
            let name = try raw.asString("translation_strategy", ctx)
            guard let strategy = TranslationStrategy(rawValue: name) else {
                let known = TranslationStrategy.allCases.map(\.rawValue).joined(separator: ", ")
                throw ctx.error(raw, "otlp: unsupported translation_strategy \"\(name)\" (one of \(known))")
            }
            c.translationStrategy = strategy
        }
        c.keepIdentifyingResourceAttributes = try m.bool("keep_identifying_resource_attributes", ctx) ?? false
        c.promoteScopeMetadata = try m.bool("promote_scope_metadata", ctx) ?? false
        c.convertHistogramsToNHCB = try m.bool("convert_histograms_to_nhcb", ctx) ?? false
        try m.finish(&ctx)
        return c
    }

    /// A list of attribute names, trimmed, without empties or repeats.
    private static func attributeList(_ key: String, _ m: inout MappingReader, _ v: YAMLValue, _ ctx: DecodeContext) throws(ConfigError) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for raw in try m.stringList(key, ctx) ?? [] {
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw ctx.error(v, "otlp: empty attribute name in \(key)") }
            guard seen.insert(name).inserted else { throw ctx.error(v, "otlp: attribute \"\(name)\" is listed twice in \(key)") }
            out.append(name)
        }
        return out
    }
}
