import ConfigSupport
import MetricModel

/// Mutes alerts matching `targetMatchers` while an alert matching `sourceMatchers` fires with the
/// same values of the `equal` labels (a node-down alert silencing that node's other alerts).
public struct InhibitRule: Sendable {
    public var sourceMatchers: [LabelMatcher]
    public var targetMatchers: [LabelMatcher]
    public var equal: [String]

    public init(sourceMatchers: [LabelMatcher], targetMatchers: [LabelMatcher], equal: [String]) {
        self.sourceMatchers = sourceMatchers
        self.targetMatchers = targetMatchers
        self.equal = equal
    }

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> InhibitRule {
        var m = try MappingReader(v, what: "inhibit_rule", ctx)
        var source = try MatcherLists.decode(m.take("source_matchers"), field: "source_matchers", &ctx)
        source += try MatcherLists.decodeLegacy(m.take("source_match"), regex: false, field: "source_match", &ctx)
        source += try MatcherLists.decodeLegacy(m.take("source_match_re"), regex: true, field: "source_match_re", &ctx)
        var target = try MatcherLists.decode(m.take("target_matchers"), field: "target_matchers", &ctx)
        target += try MatcherLists.decodeLegacy(m.take("target_match"), regex: false, field: "target_match", &ctx)
        target += try MatcherLists.decodeLegacy(m.take("target_match_re"), regex: true, field: "target_match_re", &ctx)
        let equal = try m.stringList("equal", ctx) ?? []
        try m.finish(&ctx)
        return InhibitRule(sourceMatchers: source, targetMatchers: target, equal: equal)
    }
}
