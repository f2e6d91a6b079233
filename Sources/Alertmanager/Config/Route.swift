import ConfigSupport
import MetricModel

/// How a route splits its alerts into groups.
public enum GroupBy: Sendable, Equatable {
    /// Alerts with equal values of these labels share a group (none: one group per route).
    case labels([String])
    /// `group_by: ['...']`: every distinct label set is a group of its own.
    case all

    /// The labels of `labels` that identify an alert's group.
    public func groupLabels(of labels: Labels) -> Labels {
        switch self {
        case .all: return labels
        case .labels(let names): return labels.keeping(names)
        }
    }
}

/// A node of the routing tree with its options resolved (children inherit what they leave out).
public struct Route: Sendable {
    public var receiver: String
    public var groupBy: GroupBy
    public var groupWait: PromDuration
    public var groupInterval: PromDuration
    public var repeatInterval: PromDuration
    /// Sorted by name, value and operator, as Alertmanager sorts them for the route's key.
    public var matchers: [LabelMatcher]
    /// Whether matching goes on to the next sibling after this route matched.
    public var continueMatching: Bool
    public var muteTimeIntervals: [String]
    public var activeTimeIntervals: [String]
    public var routes: [Route]
    /// Alertmanager's route key: the parent's key, `/`, and this route's matchers (`{}` at the root).
    public var key: String
    /// The key plus the route's position among its siblings: unique even for twin routes.
    public var id: String

    /// The routes an alert with these labels is delivered through: the deepest matching ones,
    /// siblings tried in order until one matches without `continue`; this route when no child matches.
    public func match(_ labels: Labels) -> [Route] {
        guard labels.matches(matchers) else { return [] }
        var found: [Route] = []
        for child in routes {
            let m = child.match(labels)
            found += m
            if !m.isEmpty, !child.continueMatching { break }
        }
        return found.isEmpty ? [self] : found
    }

    /// This route and every route below it, depth first.
    public var allRoutes: [Route] { [self] + routes.flatMap(\.allRoutes) }
}

extension Route {
    static func decodeRoot(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> Route {
        var m = try MappingReader(v, what: "route", ctx)
        if m.has("matchers") || m.has("match") || m.has("match_re") {
            throw ctx.error(v, "root route must not have any matchers")
        }
        if try m.bool("continue", ctx) == true { throw ctx.error(v, "cannot have continue in root route") }
        guard m.has("receiver") else { throw ctx.error(v, "root route must specify a default receiver") }
        let defaults = Route(
            receiver: "", groupBy: .labels([]), groupWait: PromDuration(milliseconds: 30_000),
            groupInterval: PromDuration(milliseconds: 5 * 60_000), repeatInterval: PromDuration(milliseconds: 4 * 3_600_000),
            matchers: [], continueMatching: false, muteTimeIntervals: [], activeTimeIntervals: [], routes: [], key: "", id: "")
        return try decode(&m, parent: defaults, parentKey: nil, index: 0, &ctx)
    }

    static func decode(
        _ m: inout MappingReader, parent: Route, parentKey: (key: String, id: String)?, index: Int, _ ctx: inout DecodeContext
    ) throws(ConfigError) -> Route {
        var r = parent
        r.routes = []
        r.continueMatching = try m.bool("continue", ctx) ?? false
        r.receiver = try m.string("receiver", ctx) ?? parent.receiver
        if let items = m.take("group_by") {
            r.groupBy = try decodeGroupBy(items, &ctx)
        }
        r.groupWait = try m.duration("group_wait", ctx) ?? parent.groupWait
        r.groupInterval = try m.duration("group_interval", ctx) ?? parent.groupInterval
        r.repeatInterval = try m.duration("repeat_interval", ctx) ?? parent.repeatInterval
        if r.groupInterval.milliseconds <= 0 { throw ctx.error(m.value, "group_interval cannot be zero") }
        if r.repeatInterval.milliseconds <= 0 { throw ctx.error(m.value, "repeat_interval cannot be zero") }
        r.muteTimeIntervals = try m.stringList("mute_time_intervals", ctx) ?? []
        r.activeTimeIntervals = try m.stringList("active_time_intervals", ctx) ?? []
        var matchers: [LabelMatcher] = []
        matchers += try MatcherLists.decode(m.take("matchers"), field: "matchers", &ctx)
        matchers += try MatcherLists.decodeLegacy(m.take("match"), regex: false, field: "match", &ctx)
        matchers += try MatcherLists.decodeLegacy(m.take("match_re"), regex: true, field: "match_re", &ctx)
        r.matchers = MatcherLists.sorted(matchers)
        let own = MatcherSyntax.format(r.matchers)
        r.key = parentKey.map { $0.key + "/" + own } ?? own
        r.id = parentKey.map { $0.id + "/" + own + "/\(index)" } ?? own
        let children = try m.sequence("routes", ctx) ?? []
        try m.finish(&ctx)
        for (i, child) in children.enumerated() {
            var cm = try MappingReader(child, what: "route", ctx)
            r.routes.append(try decode(&cm, parent: r, parentKey: (r.key, r.id), index: i, &ctx))
        }
        return r
    }

    static func decodeGroupBy(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> GroupBy {
        guard case .sequence(let items) = v.kind else { throw ctx.error(v, "group_by: expected a list of label names") }
        var names: [String] = []
        for item in items {
            let name = try item.asString("group_by", ctx)
            if name == "..." {
                guard items.count == 1 else { throw ctx.error(item, "cannot have wildcard group_by (`...`) and other labels at the same time") }
                return .all
            }
            guard LabelNameRules.isValid(name) else { throw ctx.error(item, "invalid label name \(GoQuotedString.quote(name)) in group_by list") }
            if names.contains(name) { throw ctx.error(item, "duplicated label \(GoQuotedString.quote(name)) in group_by") }
            names.append(name)
        }
        return .labels(names)
    }
}

/// Label names Alertmanager's configuration accepts: since UTF-8 names, any non-empty text.
enum LabelNameRules {
    static func isValid(_ s: String) -> Bool { !s.isEmpty }
}

/// The matcher fields of routes and inhibit rules, in their current and legacy spellings.
enum MatcherLists {
    /// `matchers: ['a="b"', 'c=~"d|e"']` — every item may hold several comma-separated matchers.
    static func decode(_ v: YAMLValue?, field: String, _ ctx: inout DecodeContext) throws(ConfigError) -> [LabelMatcher] {
        guard let v else { return [] }
        guard case .sequence(let items) = v.kind else { throw ctx.error(v, "\(field): expected a list of matchers") }
        var out: [LabelMatcher] = []
        for item in items {
            let text = try item.asString(field, ctx)
            do { out += try MatcherSyntax.parseList(text) } catch { throw ctx.error(item, "\(field): \(error)") }
        }
        return out
    }

    /// `match: {a: b}` / `match_re: {a: "b|c"}`.
    static func decodeLegacy(_ v: YAMLValue?, regex: Bool, field: String, _ ctx: inout DecodeContext) throws(ConfigError) -> [LabelMatcher] {
        guard let v else { return [] }
        guard case .mapping(let pairs) = v.kind else { throw ctx.error(v, "\(field): expected a mapping of label names to values") }
        var out: [LabelMatcher] = []
        for p in pairs {
            let value: String
            if case .null = p.value.kind { value = "" } else { value = try p.value.asString(field, ctx) }
            if regex, value.isEmpty { throw ctx.error(p.value, "\(field): invalid regular expression \"\"") }
            do { out.append(try LabelMatcher(regex ? .regexMatch : .equal, p.key, value)) } catch {
                throw ctx.error(p.value, "\(field): invalid regular expression \(GoQuotedString.quote(value)): \(error)")
            }
        }
        return out
    }

    static func sorted(_ list: [LabelMatcher]) -> [LabelMatcher] {
        list.sorted { a, b in
            if a.name != b.name { return a.name < b.name }
            if a.value != b.value { return a.value < b.value }
            return a.kind.rawValue < b.kind.rawValue
        }
    }
}
