import MetricModel

/// The canonical text of an expression, as Prometheus prints parsed queries: `format_query`,
/// rule listings and error messages show this form.
extension Expr: CustomStringConvertible {
    /// One line: `sum by (job) (rate(foo{a="b"}[5m] @ 100.000 offset 1h))`.
    public var description: String {
        switch self {
        case .number(let v): return GoFloat.format(v)
        case .string(let s): return s.quoted
        case .vector(let s): return Self.selector(s) + Self.modifiers(at: s.at, offset: s.offset)
        case .matrix(let s, let range):
            return Self.selector(s) + "[\(PromDuration(milliseconds: range))]" + Self.modifiers(at: s.at, offset: s.offset)
        case .subquery(let inner, let range, let step, let offset, let at):
            return inner.description + Self.subquerySuffix(range, step, offset, at)
        case .call(let name, let args, _):
            return name + "(" + args.map(\.description).joined(separator: ", ") + ")"
        case .aggregate(let op, let inner, let param, let grouping, let without, _):
            let args = (param.map { [$0.description] } ?? []) + [inner.description]
            return Self.aggregationHead(op, grouping, without) + "(" + args.joined(separator: ", ") + ")"
        case .binary(let op, let l, let r, let matching, let returnBool):
            return l.description + " " + Self.operatorText(op, matching, returnBool) + " " + r.description
        case .negate(let inner): return "-" + inner.description
        case .paren(let inner): return "(" + inner.description + ")"
        }
    }

    /// Prometheus' `format_query` layout: one line while it fits in 100 characters, otherwise
    /// operands, arguments and aggregated expressions on their own lines, indented two spaces
    /// per level.
    public func pretty(level: Int = 0) -> String {
        let indent = String(repeating: "  ", count: level)
        let line = description
        guard line.utf8.count > Self.maxLineLength else { return indent + line }
        switch self {
        case .call(let name, let args, _):
            guard !args.isEmpty else { return indent + line }
            return indent + name + "(\n" + args.map { $0.pretty(level: level + 1) }.joined(separator: ",\n") + "\n" + indent + ")"
        case .aggregate(let op, let inner, let param, let grouping, let without, _):
            var out = indent + Self.aggregationHead(op, grouping, without) + "(\n"
            if let param { out += param.pretty(level: level + 1) + ",\n" }
            return out + inner.pretty(level: level + 1) + "\n" + indent + ")"
        case .binary(let op, let l, let r, let matching, let returnBool):
            return l.pretty(level: level + 1) + "\n" + indent + Self.operatorText(op, matching, returnBool) + "\n" + r.pretty(level: level + 1)
        case .paren(let inner):
            return indent + "(\n" + inner.pretty(level: level + 1) + "\n" + indent + ")"
        case .negate(let inner):
            return indent + "-" + inner.pretty(level: level).drop { $0 == " " }
        case .subquery(let inner, let range, let step, let offset, let at):
            // The inner expression laid out, the range and modifiers after its last line.
            return inner.pretty(level: level) + Self.subquerySuffix(range, step, offset, at)
        case .number, .string, .vector, .matrix:
            return indent + line
        }
    }

    static let maxLineLength = 100

    /// `sum`, `sum by (a, b) `, `sum without () ` — the text before the parenthesised arguments.
    private static func aggregationHead(_ op: AggregateOp, _ grouping: [String], _ without: Bool) -> String {
        let names = grouping.map(labelName).joined(separator: ", ")
        if without { return op.rawValue + " without (" + names + ") " }
        if !grouping.isEmpty { return op.rawValue + " by (" + names + ") " }
        return op.rawValue
    }

    /// `/`, `> bool`, `+ on (a) group_left (b)`, `and ignoring (c)`.
    private static func operatorText(_ op: BinaryOp, _ matching: VectorMatching?, _ returnBool: Bool) -> String {
        var out = op.rawValue
        if returnBool { out += " bool" }
        // As Prometheus prints it: the grouping only with `on (...)` or a non-empty `ignoring (...)`.
        guard let m = matching, m.on || !m.labels.isEmpty else { return out }
        out += (m.on ? " on (" : " ignoring (") + m.labels.map(labelName).joined(separator: ", ") + ")"
        switch m.cardinality {
        case .manyToOne: out += " group_left (" + m.include.map(labelName).joined(separator: ", ") + ")"
        case .oneToMany: out += " group_right (" + m.include.map(labelName).joined(separator: ", ") + ")"
        case .oneToOne, .manyToMany: break
        }
        return out
    }

    /// `[1h:5m] @ end() offset 1m`.
    private static func subquerySuffix(_ range: Int64, _ step: Int64?, _ offset: Int64, _ at: AtModifier?) -> String {
        let stepText = step.map { PromDuration(milliseconds: $0).description } ?? ""
        return "[\(PromDuration(milliseconds: range)):\(stepText)]" + modifiers(at: at, offset: offset)
    }

    /// `name{a="b",c=~"d"}`: the name outside the braces when it is a plain identifier, matchers by label name.
    private static func selector(_ s: VectorSelector) -> String {
        var matchers = s.matchers
        if let name = s.name, let i = matchers.firstIndex(where: { $0.name == LabelName.metricName && $0.kind == .equal && $0.value == name }) {
            matchers.remove(at: i)
        }
        let sorted = matchers.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }.map(\.element)
        var inside = sorted.map { labelName($0.name) + $0.kind.rawValue + quote($0.value) }
        var out = ""
        if let name = s.name {
            if LabelName.isValidLegacyMetric(name) { out = name } else { inside.insert(quote(name), at: 0) }
        }
        if !inside.isEmpty || out.isEmpty { out += "{" + inside.joined(separator: ",") + "}" }
        return out
    }

    /// ` @ 100.000`, ` @ start()`, ` offset 5m`, ` offset -1h30m` — in that order.
    private static func modifiers(at: AtModifier?, offset: Int64) -> String {
        var out = ""
        switch at {
        case .timestamp(let ms):
            let sign = ms < 0 ? "-" : ""
            let a = ms.magnitude
            let frac = String(a % 1000)
            out += " @ " + sign + String(a / 1000) + "." + String(repeating: "0", count: 3 - frac.count) + frac
        case .start: out += " @ start()"
        case .end: out += " @ end()"
        case nil: break
        }
        if offset != 0 { out += " offset " + PromDuration(milliseconds: offset).description }
        return out
    }

    private static func labelName(_ name: String) -> String { LabelName.isValidLegacy(name) ? name : quote(name) }

    /// A double-quoted literal with Go's escapes, which the PromQL lexer reads back unchanged.
    static func quote(_ s: String) -> String { GoQuotedString.quote(s) }
}
