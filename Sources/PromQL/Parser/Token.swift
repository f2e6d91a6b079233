/// A lexical token of PromQL with its byte offset in the query.
struct Token: Sendable, Equatable {
    /// What kind of token.
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case metricIdentifier(String) // contains ':'
        case number(Double)
        case duration(Int64)          // milliseconds
        case string(String)
        case invalidUTF8String([UInt8]) // a literal whose escapes make invalid UTF-8
        case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
        case comma, colon, at
        case assign                   // =
        case equal, notEqual, regexMatch, regexNoMatch
        case add, sub, mul, div, mod, pow
        case greater, less, greaterEqual, lessEqual
        case eof
    }

    var kind: Kind
    var offset: Int
}

/// A PromQL syntax error with its position: Prometheus prints `1:15: parse error: ...`.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "\(line):\(column): parse error: \(message)" }
}
