import ConfigSupport
import Foundation
import GoTemplate
import MetricModel
import PromQL

/// A rule file (`alert.rules.yml`): groups of recording and alerting rules, as Prometheus reads them.
public struct RuleFile: Sendable {
    public var path: String
    public var groups: [RuleGroup]

    /// Every rule in the file.
    public var ruleCount: Int { groups.reduce(0) { $0 + $1.rules.count } }

    /// Reads and checks a rule file; every problem found is reported, each at its line. Record
    /// names and label names are checked against `nameValidation` (UTF-8 names, as in Prometheus
    /// 3, unless the configuration says `legacy`).
    public static func load(_ path: String, nameValidation: NameValidationScheme = .utf8) throws(RuleFileError) -> RuleFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RuleFileError(problems: [ConfigError(file: path, line: 0, message: "cannot read file: \(error.localizedDescription)")])
        }
        return try parse(text, file: path, nameValidation: nameValidation)
    }

    /// Reads every file the `rule_files` patterns of a configuration match (globs within one path
    /// segment). A pattern that matches nothing adds nothing, as in Prometheus; any broken file
    /// fails the whole load, so a reload keeps the rules it had.
    public static func loadAll(_ patterns: [String], nameValidation: NameValidationScheme = .utf8) throws(RuleFileError) -> [RuleFile] {
        let paths = self.paths(matching: patterns).filter { FileManager.default.fileExists(atPath: $0) }
        var files: [RuleFile] = []
        var problems: [ConfigError] = []
        for path in paths {
            do { files.append(try load(path, nameValidation: nameValidation)) } catch { problems += error.problems }
        }
        if !problems.isEmpty { throw RuleFileError(problems: problems) }
        return files
    }

    /// The files `rule_files` patterns name, in order and without repeats: globs expanded, plain
    /// paths kept as written (whether or not they exist).
    public static func paths(matching patterns: [String]) -> [String] {
        var paths: [String] = []
        for pattern in patterns {
            let matched = pattern.contains(where: { "*?[".contains($0) }) ? FileGlob.expand(pattern) : [pattern]
            for path in matched where !paths.contains(path) { paths.append(path) }
        }
        return paths
    }

    /// Parses rule-file YAML; `file` names the source in error messages.
    public static func parse(_ text: String, file: String, nameValidation: NameValidationScheme = .utf8) throws(RuleFileError) -> RuleFile {
        var problems: [ConfigError] = []
        let root: YAMLValue
        do { root = try YAMLValue.parse(text, file: file) } catch { throw RuleFileError(problems: [error]) }
        var ctx = DecodeContext(file: file)
        ctx.nameValidation = nameValidation
        var groups: [RuleGroup] = []
        do {
            var top = try MappingReader(root, what: "rulefmt.RuleGroups", ctx)
            let items = try top.sequence("groups", ctx) ?? []
            var scratch = ctx
            try top.finish(&scratch)
            var seen: Set<String> = []
            for item in items {
                do {
                    let group = try RuleGroup.decode(item, ctx, problems: &problems)
                    if !seen.insert(group.name).inserted {
                        problems.append(ctx.error(item, "groupname: \"\(group.name)\" is repeated in the same file"))
                    }
                    groups.append(group)
                } catch {
                    problems.append(error)
                }
            }
        } catch {
            problems.append(error)
        }
        if !problems.isEmpty { throw RuleFileError(problems: problems) }
        return RuleFile(path: file, groups: groups)
    }
}

/// Everything wrong with a rule file, each problem at its file and line.
public struct RuleFileError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigError]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// A group of rules evaluated together, in order, on one schedule.
public struct RuleGroup: Sendable {
    public var name: String
    /// How often the group runs; nil means the global `evaluation_interval`.
    public var interval: PromDuration?
    /// How far back evaluations look (`query_offset`); nil means the global default.
    public var queryOffset: PromDuration?
    /// Most series or alerts a rule may produce before its evaluation fails (0: no limit).
    public var limit: Int
    /// Labels added to every rule's output (overridden by the rule's own).
    public var labels: [(name: String, value: String)]
    public var rules: [RuleDefinition]
    public var line: Int

    static func decode(_ v: YAMLValue, _ ctx: DecodeContext, problems: inout [ConfigError]) throws(ConfigError) -> RuleGroup {
        var m = try MappingReader(v, what: "rulefmt.RuleGroup", ctx)
        let name = try m.string("name", ctx) ?? ""
        guard !name.isEmpty else { throw ctx.error(v, "Groupname must not be empty") }
        // A zero interval means the global one, as in Prometheus.
        let interval = try m.duration("interval", ctx).flatMap { $0.milliseconds == 0 ? nil : $0 }
        let queryOffset = try m.duration("query_offset", ctx)
        let limit = try m.int("limit", ctx) ?? 0
        let labels = try m.stringMap("labels", ctx) ?? []
        for (label, _) in labels where !ctx.nameValidation.isValid(labelName: label) {
            problems.append(ctx.error(v, "group \"\(name)\": invalid label name: \(label)"))
        }
        let items = try m.sequence("rules", ctx) ?? []
        var scratch = ctx
        try m.finish(&scratch)
        var rules: [RuleDefinition] = []
        for item in items {
            do {
                if case .mapping(let pairs) = item.kind, pairs.contains(where: { $0.key == "anomaly" }) {
                    rules += try AnomalyRule.compile(item, ctx)
                } else {
                    rules.append(try RuleDefinition.decode(item, ctx))
                }
            } catch {
                problems.append(error)
            }
        }
        return RuleGroup(name: name, interval: interval, queryOffset: queryOffset, limit: limit,
                         labels: labels.map { (name: $0.0, value: $0.1) }, rules: rules, line: v.line)
    }
}

/// One recording or alerting rule as written in its file.
public struct RuleDefinition: Sendable {
    /// A recording rule stores its result under a metric name; an alerting rule turns it into alerts.
    public enum Kind: Sendable, Equatable {
        case recording(metric: String)
        case alerting(name: String)
    }

    public var kind: Kind
    public var expr: Expr
    /// The expression as written, for the rules API and messages.
    public var exprText: String
    /// How long an alert stays pending before it fires.
    public var holdDuration: PromDuration
    /// How long an alert keeps firing after its condition clears.
    public var keepFiringFor: PromDuration
    /// Label templates, in file order.
    public var labels: [(name: String, value: String)]
    /// Annotation templates, in file order (alerting rules only).
    public var annotations: [(name: String, value: String)]
    public var line: Int
    /// The `anomaly` rule this rule was compiled from, if any.
    public var generatedBy: String?

    public var name: String {
        switch kind {
        case .recording(let metric): return metric
        case .alerting(let name): return name
        }
    }

    static func decode(_ v: YAMLValue, _ ctx: DecodeContext) throws(ConfigError) -> RuleDefinition {
        var m = try MappingReader(v, what: "rulefmt.RuleNode", ctx)
        let record = try m.string("record", ctx)
        let alert = try m.string("alert", ctx)
        let exprValue = m.take("expr")
        let holdDuration = try m.duration("for", ctx)
        let keepFiringFor = try m.duration("keep_firing_for", ctx)
        let labels = try m.stringMap("labels", ctx) ?? []
        let annotations = try m.stringMap("annotations", ctx)
        var scratch = ctx
        try m.finish(&scratch)

        let kind: Kind
        switch (record, alert) {
        case (.some, .some): throw ctx.error(v, "only one of 'record' and 'alert' must be set")
        case (nil, nil): throw ctx.error(v, "one of 'record' or 'alert' must be set")
        case (.some(let metric), nil):
            guard ctx.nameValidation.isValid(metricName: metric) else { throw ctx.error(v, "invalid recording rule name: \(metric)") }
            if annotations != nil { throw ctx.error(v, "invalid field 'annotations' in recording rule") }
            if holdDuration != nil { throw ctx.error(v, "invalid field 'for' in recording rule") }
            if keepFiringFor != nil { throw ctx.error(v, "invalid field 'keep_firing_for' in recording rule") }
            kind = .recording(metric: metric)
        case (nil, .some(let name)):
            guard !name.isEmpty else { throw ctx.error(v, "one of 'record' or 'alert' must be set") }
            kind = .alerting(name: name)
        }
        guard let exprValue, let text = try? exprValue.asString("expr", ctx), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ctx.error(v, "field 'expr' must be set in rule")
        }
        let expr: Expr
        do { expr = try Parser.parse(text) } catch {
            throw ctx.error(exprValue, "\(kind.ruleWord) \"\(kind.ruleName)\": could not parse expression: \(error)")
        }
        switch expr.type {
        case .vector, .scalar: break
        default:
            throw ctx.error(exprValue, "\(kind.ruleWord) \"\(kind.ruleName)\": invalid expression type \"\(expr.type.rawValue)\", must be scalar or instant vector")
        }
        for (label, _) in labels where !ctx.nameValidation.isValid(labelName: label) {
            throw ctx.error(v, "\(kind.ruleWord) \"\(kind.ruleName)\": invalid label name: \(label)")
        }
        for (label, _) in annotations ?? [] where !ctx.nameValidation.isValid(labelName: label) {
            throw ctx.error(v, "\(kind.ruleWord) \"\(kind.ruleName)\": invalid annotation name: \(label)")
        }
        if case .alerting(let name) = kind {
            // Templates must parse, as promtool checks them.
            for (what, pairs) in [("label", labels), ("annotation", annotations ?? [])] {
                for (key, value) in pairs {
                    do { _ = try Template(RuleTemplates.definitions + value, name: "__alert_" + name) } catch {
                        throw ctx.error(v, "alerting rule \"\(name)\": \(what) \"\(key)\": \(error.message)")
                    }
                }
            }
        }
        return RuleDefinition(kind: kind, expr: expr, exprText: text, holdDuration: holdDuration ?? PromDuration(milliseconds: 0),
                              keepFiringFor: keepFiringFor ?? PromDuration(milliseconds: 0),
                              labels: labels.map { (name: $0.0, value: $0.1) },
                              annotations: (annotations ?? []).map { (name: $0.0, value: $0.1) }, line: v.line)
    }
}

extension RuleDefinition.Kind {
    var ruleWord: String {
        switch self {
        case .recording: return "recording rule"
        case .alerting: return "alerting rule"
        }
    }

    var ruleName: String {
        switch self {
        case .recording(let metric): return metric
        case .alerting(let name): return name
        }
    }
}
