import ConfigSupport
import MetricModel

/// A set of targets sharing labels: one `static_configs` entry or one group from a discovery file.
public struct TargetGroup: Sendable, Hashable {
    /// `host:port` addresses.
    public var targets: [String]
    public var labels: Labels
    /// Labels of each target (parallel to `targets`, or empty): discovery mechanisms such as DNS
    /// and Kubernetes describe every target on its own. They take precedence over `labels`.
    public var targetLabels: [Labels]
    /// Where the group came from (for target identity across discovery updates).
    public var source: String

    public init(targets: [String], labels: Labels = .empty, targetLabels: [Labels] = [], source: String = "") {
        self.targets = targets
        self.labels = labels
        self.targetLabels = targetLabels
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
