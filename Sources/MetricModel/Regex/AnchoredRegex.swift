/// A regex that must match a whole string, compiled the way Prometheus compiles label-matcher and
/// relabeling patterns (`^(?s:pattern)$`), with fast paths for the common shapes.
public struct AnchoredRegex: Sendable, Hashable, CustomStringConvertible {
    /// The pattern exactly as the user wrote it.
    public let pattern: String
    let regex: Regex2
    let shape: Shape

    /// Shapes answered without running the NFA.
    enum Shape: Sendable, Hashable {
        case general
        case literal(String)
        case anyString            // .*
        case nonEmpty             // .+
        case prefix(String)       // foo.*
        case suffix(String)       // .*foo
        case contains(String)     // .*foo.*
        case alternatives(Set<String>) // a|b|c
    }

    public init(_ pattern: String) throws(RegexSyntaxError) {
        self.pattern = pattern
        do {
            self.regex = try Regex2("^(?s:" + pattern + ")$")
        } catch {
            // Report positions relative to what the user wrote.
            throw RegexSyntaxError(message: error.message, pattern: pattern, offset: max(0, error.offset - 5))
        }
        self.shape = Self.classify(pattern)
    }

    private static let meta: Set<Character> = ["\\", ".", "+", "*", "?", "(", ")", "|", "[", "]", "{", "}", "^", "$"]

    private static func isPlain(_ s: Substring) -> Bool { !s.contains(where: { meta.contains($0) }) }

    static func classify(_ p: String) -> Shape {
        if isPlain(p[...]) { return .literal(p) }
        if p == ".*" { return .anyString }
        if p == ".+" { return .nonEmpty }
        if p.hasPrefix(".*"), p.hasSuffix(".*"), p.count > 4 {
            let mid = p.dropFirst(2).dropLast(2)
            if isPlain(mid) { return .contains(String(mid)) }
        }
        if p.hasSuffix(".*"), isPlain(p.dropLast(2)) { return .prefix(String(p.dropLast(2))) }
        if p.hasPrefix(".*"), isPlain(p.dropFirst(2)) { return .suffix(String(p.dropFirst(2))) }
        let parts = p.split(separator: "|", omittingEmptySubsequences: false)
        if parts.count > 1, parts.allSatisfy(isPlain) { return .alternatives(Set(parts.map(String.init))) }
        return .general
    }

    /// Whether the whole of `value` matches.
    public func matches(_ value: String) -> Bool {
        switch shape {
        case .literal(let s): return value == s
        case .anyString: return true
        case .nonEmpty: return !value.isEmpty
        case .prefix(let s): return value.hasPrefix(s)
        case .suffix(let s): return value.hasSuffix(s)
        case .contains(let s): return value.contains(s)
        case .alternatives(let set): return set.contains(value)
        case .general: return regex.matchesWhole(value)
        }
    }

    /// Capture groups of a whole match (index 0 is the whole string), or nil when it does not match.
    public func groups(_ value: String) -> [Substring?]? {
        regex.wholeMatchGroups(value)
    }

    /// When the pattern is an alternation of literals (or one literal), those literals.
    /// The index uses this to look values up instead of scanning them.
    public var literalAlternatives: Set<String>? {
        switch shape {
        case .literal(let s): return [s]
        case .alternatives(let set): return set
        default: return nil
        }
    }

    /// Whether the pattern can match the empty string.
    public var matchesEmpty: Bool { matches("") }

    public var description: String { pattern }

    public static func == (lhs: AnchoredRegex, rhs: AnchoredRegex) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
