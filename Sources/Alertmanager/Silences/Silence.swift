import MetricModel

/// A rule that mutes matching alerts between `startsAt` and `endsAt` (milliseconds since the epoch).
public struct Silence: Sendable, Equatable, Codable {
    /// One condition of a silence, in the API's shape.
    public struct Matcher: Sendable, Equatable, Codable {
        public var name: String
        public var value: String
        public var isRegex: Bool
        /// `false` for `!=` and `!~`.
        public var isEqual: Bool

        public init(name: String, value: String, isRegex: Bool, isEqual: Bool = true) {
            self.name = name
            self.value = value
            self.isRegex = isRegex
            self.isEqual = isEqual
        }

        public init(_ m: LabelMatcher) {
            self.init(name: m.name, value: m.value, isRegex: m.kind == .regexMatch || m.kind == .regexNoMatch,
                      isEqual: m.kind == .equal || m.kind == .regexMatch)
        }

        public func compiled() throws(RegexSyntaxError) -> LabelMatcher {
            let kind: LabelMatcher.Kind = isRegex ? (isEqual ? .regexMatch : .regexNoMatch) : (isEqual ? .equal : .notEqual)
            return try LabelMatcher(kind, name, value)
        }
    }

    /// Where a silence stands at a given time.
    public enum State: String, Sendable, Codable {
        case pending, active, expired
    }

    public var id: String
    public var matchers: [Matcher]
    public var startsAt: Int64
    public var endsAt: Int64
    public var updatedAt: Int64
    public var createdBy: String
    public var comment: String

    public init(id: String = "", matchers: [Matcher], startsAt: Int64, endsAt: Int64, updatedAt: Int64 = 0, createdBy: String, comment: String) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.comment = comment
    }

    public func state(at now: Int64) -> State {
        if now < startsAt { return .pending }
        if now < endsAt { return .active }
        return .expired
    }
}

/// Why a silence was refused or could not be changed.
public enum SilenceError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)
    case notFound(String)
    case alreadyExpired(String)

    public var description: String {
        switch self {
        case .invalid(let m): return m
        case .notFound(let id): return "silence \(id) not found"
        case .alreadyExpired(let id): return "silence \(id) already expired"
        }
    }
}
