import MetricModel

/// The four kinds of PromQL value an expression can produce.
public enum ValueType: String, Sendable, Equatable {
    case scalar, vector = "instant vector", matrix = "range vector", string
}

/// `@ <timestamp>`, `@ start()` or `@ end()`.
public enum AtModifier: Sendable, Equatable {
    case timestamp(Int64)
    case start
    case end
}

/// An instant vector selector: `name{matchers} offset o @ t`.
public struct VectorSelector: Sendable, Equatable {
    public var name: String?
    public var matchers: [LabelMatcher]
    /// Milliseconds to look back (negative looks ahead).
    public var offset: Int64 = 0
    public var at: AtModifier?
}

/// Where an expression starts in the query: Prometheus ends annotations with `(line:column)`.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var description: String { "\(line):\(column)" }
}

/// Binary operators, by precedence group.
public enum BinaryOp: String, Sendable, Equatable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", atan2
    case eql = "==", neq = "!=", gtr = ">", lss = "<", gte = ">=", lte = "<="
    case and, or, unless

    var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
        case .add, .sub: return 4
        case .mul, .div, .mod, .atan2: return 5
        case .pow: return 6
        }
    }

    var isComparison: Bool { [.eql, .neq, .gtr, .lss, .gte, .lte].contains(self) }
    var isSetOperator: Bool { self == .and || self == .or || self == .unless }
}

/// How two vectors' series pair up in a binary operation.
public struct VectorMatching: Sendable, Equatable {
    public enum Cardinality: Sendable, Equatable { case oneToOne, manyToOne, oneToMany, manyToMany }
    public var cardinality: Cardinality = .oneToOne
    /// `on(...)` when true, `ignoring(...)` otherwise.
    public var on = false
    public var labels: [String] = []
    /// Extra labels named in `group_left(...)` / `group_right(...)`.
    public var include: [String] = []
}

/// Aggregation operators.
public enum AggregateOp: String, Sendable, Equatable, CaseIterable {
    case sum, avg, min, max, count, group, stddev, stdvar, topk, bottomk, quantile
    case countValues = "count_values", limitk, limitRatio = "limit_ratio"

    var hasParameter: Bool { [.topk, .bottomk, .quantile, .countValues, .limitk, .limitRatio].contains(self) }

    /// Whether native histograms take part (summed, averaged, counted or passed through); the
    /// other operators compare or rank floats and leave histograms out.
    var aggregatesHistograms: Bool { [.sum, .avg, .count, .group, .countValues, .limitk, .limitRatio].contains(self) }
}

/// A string literal as written in a query. Go strings hold any bytes, so `"a\xc5z"` is a
/// legal literal that is not valid UTF-8: `value` is its repaired text, `invalidUTF8` keeps the
/// bytes for the places that must refuse it (label names) and for printing it back.
public struct StringLiteral: Sendable, Equatable, ExpressibleByStringLiteral {
    public var value: String
    /// The literal's bytes when they are not valid UTF-8, otherwise nil.
    public var invalidUTF8: [UInt8]?

    public init(_ value: String) { self.value = value }
    public init(stringLiteral value: String) { self.value = value }

    /// The literal's bytes, which need not be valid UTF-8.
    public init(bytes: [UInt8]) {
        if let s = String(validating: bytes, as: UTF8.self) {
            value = s
        } else {
            value = String(decoding: bytes, as: UTF8.self)
            invalidUTF8 = bytes
        }
    }

    /// Whether the literal can name a label: valid UTF-8 and not empty.
    public var isValidLabelName: Bool { invalidUTF8 == nil && !value.isEmpty }

    /// The literal in Go's double-quoted form, invalid bytes as `\xNN`.
    public var quoted: String { invalidUTF8.map { GoQuotedString.quote(bytes: $0) } ?? GoQuotedString.quote(value) }
}

/// A parsed PromQL expression.
public indirect enum Expr: Sendable, Equatable {
    case number(Double)
    case string(StringLiteral)
    case vector(VectorSelector)
    case matrix(VectorSelector, range: Int64)
    case subquery(Expr, range: Int64, step: Int64?, offset: Int64, at: AtModifier?)
    /// A function call; `positions` locate each argument (not part of equality).
    case call(String, [Expr], positions: [SourcePosition])
    /// An aggregation; `paramPosition` locates the parameter (not part of equality).
    case aggregate(AggregateOp, Expr, param: Expr?, grouping: [String], without: Bool, paramPosition: SourcePosition?)
    case binary(BinaryOp, Expr, Expr, matching: VectorMatching?, returnBool: Bool)
    case negate(Expr)
    case paren(Expr)

    public static func == (a: Expr, b: Expr) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): return x.bitPattern == y.bitPattern
        case let (.string(x), .string(y)): return x == y
        case let (.vector(x), .vector(y)): return x == y
        case let (.matrix(x, r1), .matrix(y, r2)): return x == y && r1 == r2
        case let (.subquery(e1, r1, s1, o1, a1), .subquery(e2, r2, s2, o2, a2)): return e1 == e2 && r1 == r2 && s1 == s2 && o1 == o2 && a1 == a2
        case let (.call(f1, a1, _), .call(f2, a2, _)): return f1 == f2 && a1 == a2
        case let (.aggregate(o1, e1, p1, g1, w1, _), .aggregate(o2, e2, p2, g2, w2, _)): return o1 == o2 && e1 == e2 && p1 == p2 && g1 == g2 && w1 == w2
        case let (.binary(o1, l1, r1, m1, b1), .binary(o2, l2, r2, m2, b2)): return o1 == o2 && l1 == l2 && r1 == r2 && m1 == m2 && b1 == b2
        case let (.negate(x), .negate(y)): return x == y
        case let (.paren(x), .paren(y)): return x == y
        default: return false
        }
    }

    /// The expression inside any number of parentheses.
    public var withoutParentheses: Expr {
        if case .paren(let inner) = self { return inner.withoutParentheses }
        return self
    }

    /// The type of value the expression evaluates to.
    public var type: ValueType {
        switch self {
        case .number: return .scalar
        case .string: return .string
        case .vector: return .vector
        case .matrix, .subquery: return .matrix
        case .call(let name, _, _): return FunctionTable.functions[name]?.returns ?? .vector
        case .aggregate: return .vector
        case .binary(_, let l, let r, _, _): return l.type == .scalar && r.type == .scalar ? .scalar : .vector
        case .negate(let e), .paren(let e): return e.type
        }
    }
}
