import MetricModel
import Yams

/// A YAML document as a plain, Sendable tree that remembers where every value stood.
public struct YAMLValue: Sendable, Hashable {
    /// The shape of a YAML value.
    public enum Kind: Sendable, Hashable {
        case null
        /// A scalar's text and whether it was quoted (quoted text is never null, bool or number).
        case scalar(String, quoted: Bool)
        case sequence([YAMLValue])
        /// Keys in document order.
        case mapping([(key: String, value: YAMLValue)])

        public static func == (a: Kind, b: Kind) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case let (.scalar(x, qx), .scalar(y, qy)): return x == y && qx == qy
            case let (.sequence(x), .sequence(y)): return x == y
            case let (.mapping(x), .mapping(y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            default: return false
            }
        }

        public func hash(into h: inout Hasher) {
            switch self {
            case .null: h.combine(0)
            case .scalar(let s, let q): h.combine(s); h.combine(q)
            case .sequence(let items): h.combine(items)
            case .mapping(let pairs): for p in pairs { h.combine(p.key); h.combine(p.value) }
            }
        }
    }

    public var kind: Kind
    /// 1-based line and column in the source file.
    public var line: Int
    public var column: Int

    public init(kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    /// Parses YAML text; an empty document is an empty mapping.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> YAMLValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: Self.line(of: error), message: Self.message(of: error))
        } catch {
            throw ConfigError(file: file, line: 0, message: "\(error)")
        }
        guard let node else { return YAMLValue(kind: .mapping([]), line: 1, column: 1) }
        return try convert(node, file: file)
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): return mark.line
        default: return 0
        }
    }

    private static func message(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _):
            return "yaml: " + [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        default:
            return "yaml: \(error)"
        }
    }

    private static func convert(_ node: Node, file: String) throws(ConfigError) -> YAMLValue {
        let line = node.mark?.line ?? 0
        let column = node.mark?.column ?? 0
        switch node {
        case .scalar(let s):
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded
            if !quoted, ["", "~", "null", "Null", "NULL"].contains(s.string) {
                return YAMLValue(kind: .null, line: line, column: column)
            }
            return YAMLValue(kind: .scalar(s.string, quoted: quoted), line: line, column: column)
        case .sequence(let seq):
            var items: [YAMLValue] = []
            for n in seq { items.append(try convert(n, file: file)) }
            return YAMLValue(kind: .sequence(items), line: line, column: column)
        case .mapping(let map):
            var pairs: [(key: String, value: YAMLValue)] = []
            var seen: Set<String> = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw ConfigError(file: file, line: k.mark?.line ?? line, message: "mapping keys must be strings")
                }
                if !seen.insert(ks.string).inserted {
                    throw ConfigError(file: file, line: k.mark?.line ?? line, message: "mapping key \"\(ks.string)\" already defined")
                }
                pairs.append((ks.string, try convert(v, file: file)))
            }
            return YAMLValue(kind: .mapping(pairs), line: line, column: column)
        case .alias:
            throw ConfigError(file: file, line: line, message: "YAML aliases are not supported")
        }
    }

    /// Renders back to YAML with the values of fields for which `isSecret` holds (scalars, and
    /// every item of a list) replaced by `<secret>`, and the password of any URL too.
    public func rendered(maskingKeys isSecret: (String) -> Bool) -> String {
        var out = ""
        render(into: &out, indent: 0, isSecret: isSecret, inlineFirst: false)
        return out
    }

    private func render(into out: inout String, indent: Int, isSecret: (String) -> Bool, inlineFirst: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch kind {
        case .null, .scalar:
            out += scalarText + "\n"
        case .sequence(let items):
            if items.isEmpty { out += "[]\n"; return }
            if inlineFirst { out += "\n" }
            for item in items {
                out += pad + "- "
                switch item.kind {
                case .mapping(let pairs) where !pairs.isEmpty:
                    item.renderMapping(into: &out, indent: indent + 2, isSecret: isSecret, skipFirstPad: true)
                default:
                    item.render(into: &out, indent: indent + 2, isSecret: isSecret, inlineFirst: true)
                }
            }
        case .mapping(let pairs):
            if pairs.isEmpty { out += "{}\n"; return }
            if inlineFirst { out += "\n" }
            renderMapping(into: &out, indent: indent, isSecret: isSecret, skipFirstPad: false)
        }
    }

    private func renderMapping(into out: inout String, indent: Int, isSecret: (String) -> Bool, skipFirstPad: Bool) {
        guard case .mapping(let pairs) = kind else { return }
        let pad = String(repeating: " ", count: indent)
        for (i, p) in pairs.enumerated() {
            out += (i == 0 && skipFirstPad ? "" : pad) + YAMLValue.quoteIfNeeded(p.key) + ":"
            if isSecret(p.key) {
                switch p.value.kind {
                case .scalar:
                    out += " <secret>\n"
                    continue
                case .sequence(let items) where !items.isEmpty:
                    out += "\n" + items.map { _ in pad + "- <secret>\n" }.joined()
                    continue
                default: break
                }
            }
            switch p.value.kind {
            case .null, .scalar:
                out += " " + p.value.scalarText + "\n"
            case .sequence(let items) where items.isEmpty:
                out += " []\n"
            case .mapping(let m) where m.isEmpty:
                out += " {}\n"
            default:
                p.value.render(into: &out, indent: indent + 2, isSecret: isSecret, inlineFirst: true)
            }
        }
    }

    private var scalarText: String {
        switch kind {
        case .null: return "null"
        case .scalar(let raw, let quoted):
            let s = SecretFields.redactingURLPassword(raw)
            return quoted ? YAMLValue.quote(s) : YAMLValue.quoteIfNeeded(s)
        default: return ""
        }
    }

    static func quote(_ s: String) -> String { JSONString.quote(s) }

    static func quoteIfNeeded(_ s: String) -> String {
        let special: Set<Character> = [":", "#", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "\n", "\\"]
        if s.isEmpty || s.first == " " || s.last == " " || s.first == "-" || s.first == "?" || s.contains(where: { special.contains($0) }) {
            return quote(s)
        }
        return s
    }
}
