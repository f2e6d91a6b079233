/// A condition on one label: `name="v"`, `name!="v"`, `name=~"re"` or `name!~"re"`.
public struct LabelMatcher: Hashable, Sendable, CustomStringConvertible {
    /// The comparison a matcher applies.
    public enum Kind: String, Sendable, Hashable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let kind: Kind
    public let name: String
    public let value: String
    let regex: AnchoredRegex?

    public init(_ kind: Kind, _ name: String, _ value: String) throws(RegexSyntaxError) {
        self.kind = kind
        self.name = name
        self.value = value
        switch kind {
        case .regexMatch, .regexNoMatch: self.regex = try AnchoredRegex(value)
        case .equal, .notEqual: self.regex = nil
        }
    }

    /// Whether a label value (empty when the label is absent) satisfies the matcher.
    public func matches(_ v: String) -> Bool {
        switch kind {
        case .equal: return v == value
        case .notEqual: return v != value
        case .regexMatch: return regex?.matches(v) ?? false
        case .regexNoMatch: return !(regex?.matches(v) ?? false)
        }
    }

    /// Whether an absent label (the empty value) satisfies the matcher.
    public var matchesEmpty: Bool { matches("") }

    /// For `=` or `=~a|b|c`, the exact values that match, so an index can look them up directly.
    public var exactValues: Set<String>? {
        switch kind {
        case .equal: return [value]
        case .regexMatch: return regex?.literalAlternatives
        default: return nil
        }
    }

    public var description: String {
        "\(name)\(kind.rawValue)\"\(Labels.escape(value))\""
    }

    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.kind == rhs.kind && lhs.name == rhs.name && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(name)
        hasher.combine(value)
    }
}

extension Labels {
    /// Whether every matcher holds for this label set.
    public func matches(_ matchers: [LabelMatcher]) -> Bool {
        matchers.allSatisfy { $0.matches(self[$0.name]) }
    }
}
