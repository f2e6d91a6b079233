import MetricModel

/// The native histogram notation of test scripts and rule unit tests:
/// `{{schema:1 sum:-0.3 count:3.1 z_bucket:7.1 z_bucket_w:0.05 buckets:[5.1 10 7] offset:-3
/// n_buckets:[4.1 5] n_offset:-5 counter_reset_hint:gauge custom_values:[0.5 1]}}`. Every field
/// may be left out (zero, empty, an unknown hint). `buckets` lists consecutive positive buckets,
/// absolute counts, the first at index `offset` (default 0); `n_buckets` the negative ones from
/// `n_offset`. Expansions as for floats: `{{…}}x3` repeats, `{{a}}+{{b}}x3` adds `b` three times.
enum HistogramLiteral {
    /// One `{{…}}` literal.
    static func parse(_ text: Substring) throws(ScriptError) -> FloatHistogram {
        guard text.hasPrefix("{{"), text.hasSuffix("}}"), text.count >= 4 else { throw ScriptError("invalid histogram \"\(text)\"") }
        let body = text.dropFirst(2).dropLast(2)
        var h = FloatHistogram(schema: 0, count: 0, sum: 0)
        var positive: [Double] = [], negative: [Double] = []
        var offset: Int32 = 0, negativeOffset: Int32 = 0
        for field in fields(body) {
            guard let colon = field.firstIndex(of: ":") else { throw ScriptError("histogram field \"\(field)\" has no value") }
            let key = field[..<colon], value = field[field.index(after: colon)...]
            switch key {
            case "schema": h.schema = try integer(value, key)
            case "sum": h.sum = try number(value, key)
            case "count": h.count = try number(value, key)
            case "z_bucket": h.zeroCount = try number(value, key)
            case "z_bucket_w": h.zeroThreshold = try number(value, key)
            case "buckets": positive = try list(value, key)
            case "n_buckets": negative = try list(value, key)
            case "offset": offset = try integer(value, key)
            case "n_offset": negativeOffset = try integer(value, key)
            case "custom_values": h.customValues = try list(value, key)
            case "counter_reset_hint":
                switch value {
                case "unknown": h.counterResetHint = .unknown
                case "reset": h.counterResetHint = .counterReset
                case "not_reset": h.counterResetHint = .notCounterReset
                case "gauge": h.counterResetHint = .gauge
                default: throw ScriptError("unknown counter_reset_hint \"\(value)\"")
                }
            default:
                throw ScriptError("unknown histogram field \"\(key)\"")
            }
        }
        if !positive.isEmpty {
            h.positiveSpans = [HistogramSpan(offset: offset, length: UInt32(positive.count))]
            h.positiveBuckets = positive
        }
        if !negative.isEmpty {
            h.negativeSpans = [HistogramSpan(offset: negativeOffset, length: UInt32(negative.count))]
            h.negativeBuckets = negative
        }
        return h
    }

    /// A token holding one or two literals and an expansion: every histogram it stands for.
    static func expand(_ token: String) throws(ScriptError) -> [FloatHistogram] {
        guard let firstClose = token.range(of: "}}") else { throw ScriptError("invalid histogram \"\(token)\"") }
        let first = try parse(token[..<firstClose.upperBound])
        let rest = token[firstClose.upperBound...]
        if rest.isEmpty { return [first] }
        if rest.hasPrefix("x") {
            guard let n = Int(rest.dropFirst()), n >= 0, n <= 1_000_000 else { throw ScriptError("invalid repetition in \"\(token)\"") }
            return Array(repeating: first, count: n + 1)
        }
        guard let sign = rest.first, sign == "+" || sign == "-", let secondClose = rest.range(of: "}}"),
              rest[rest.index(after: rest.startIndex)...].hasPrefix("{{") else { throw ScriptError("invalid histogram expansion \"\(token)\"") }
        let step = try parse(rest[rest.index(after: rest.startIndex)..<secondClose.upperBound])
        let repetition = rest[secondClose.upperBound...]
        guard repetition.hasPrefix("x"), let n = Int(repetition.dropFirst()), n >= 0, n <= 1_000_000 else {
            throw ScriptError("histogram expansion \"\(token)\" needs a repetition (x<n>)")
        }
        var out = [first]
        var current = first
        for _ in 0..<n {
            guard let next = sign == "+" ? current.adding(step) : current.subtracting(step) else {
                throw ScriptError("histograms in \"\(token)\" cannot be combined (custom and exponential buckets, or other custom bounds)")
            }
            current = next
            out.append(current)
        }
        return out
    }

    /// Fields split at spaces outside brackets.
    private static func fields(_ body: Substring) -> [Substring] {
        var out: [Substring] = []
        var start: Substring.Index?
        var depth = 0
        var i = body.startIndex
        while i < body.endIndex {
            let c = body[i]
            if c == "[" { depth += 1 } else if c == "]" { depth -= 1 }
            if c.isWhitespace && depth == 0 {
                if let s = start { out.append(body[s..<i]); start = nil }
            } else if start == nil {
                start = i
            }
            i = body.index(after: i)
        }
        if let s = start { out.append(body[s...]) }
        return out
    }

    private static func number(_ s: Substring, _ key: Substring) throws(ScriptError) -> Double {
        guard let v = SeriesValues.number(String(s)) else { throw ScriptError("histogram field \(key) has no number: \"\(s)\"") }
        return v
    }

    private static func integer(_ s: Substring, _ key: Substring) throws(ScriptError) -> Int32 {
        guard let v = Int32(s) else { throw ScriptError("histogram field \(key) has no integer: \"\(s)\"") }
        return v
    }

    private static func list(_ s: Substring, _ key: Substring) throws(ScriptError) -> [Double] {
        guard s.hasPrefix("["), s.hasSuffix("]") else { throw ScriptError("histogram field \(key) has no [list]: \"\(s)\"") }
        var out: [Double] = []
        for item in s.dropFirst().dropLast().split(whereSeparator: \.isWhitespace) { out.append(try number(item, key)) }
        return out
    }
}
