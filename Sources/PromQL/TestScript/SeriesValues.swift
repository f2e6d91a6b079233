import MetricModel

/// Expanding notation of test scripts and rule unit tests: `1+2x3`, `5x2`, `_x3`, `stale`, `NaN`,
/// and native histograms (`{{schema:0 sum:5 count:4 buckets:[1 2 1]}}x3`, see ``HistogramLiteral``).
public enum SeriesValues {
    /// One point: a value, a gap, or a native histogram sample.
    public enum Point: Sendable, Equatable {
        case value(Double)
        case missing
        case histogram(FloatHistogram)

        /// Whether the point is a native histogram.
        public var isHistogram: Bool {
            if case .histogram = self { return true }
            return false
        }
    }

    /// Splits a values string into tokens, keeping `{{...}}` histograms whole.
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            if ch == "{" { depth += 1 }
            if ch == "}" { depth -= 1 }
            if ch.isWhitespace && depth == 0 {
                if !current.isEmpty { out.append(current); current = "" }
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    public static func number(_ s: String) -> Double? {
        switch s {
        case "stale": return StaleNaN.value
        case "Inf", "+Inf", "inf", "+inf": return .infinity
        case "-Inf", "-inf": return -.infinity
        case "NaN", "nan": return .nan
        default:
            // Only decimal notation: "0x59" is the expanding notation for 0 repeated, not hex.
            guard !s.contains(where: { $0 == "x" || $0 == "X" || $0 == "p" }) else { return nil }
            return Double(s)
        }
    }

    /// Parses a whole values string.
    public static func parse(_ text: String) throws(ScriptError) -> [Point] {
        var out: [Point] = []
        for token in tokens(text) {
            if token.hasPrefix("{{") {
                out += try HistogramLiteral.expand(token).map { .histogram($0) }
                continue
            }
            if token == "_" { out.append(.missing); continue }
            if token.hasPrefix("_x"), let n = Int(token.dropFirst(2)) {
                out += Array(repeating: .missing, count: n)
                continue
            }
            if let v = number(token) { out.append(.value(v)); continue }
            // a+bxn, a-bxn, axn
            guard let xi = token.lastIndex(of: "x"), let n = Int(token[token.index(after: xi)...]), n >= 0 else {
                throw ScriptError("invalid value \"\(token)\"")
            }
            let head = String(token[..<xi])
            if let a = number(head) {
                out += Array(repeating: .value(a), count: n + 1)
                continue
            }
            // Find the operator between a and b (not a leading sign, not an exponent sign).
            var opIndex: String.Index?
            var i = head.index(after: head.startIndex)
            while i < head.endIndex {
                let c = head[i]
                if c == "+" || c == "-" {
                    let prev = head[head.index(before: i)]
                    if prev != "e" && prev != "E" { opIndex = i }
                }
                i = head.index(after: i)
            }
            guard let op = opIndex, let a = number(String(head[..<op])),
                  let b = number(String(head[head.index(after: op)...])) else {
                throw ScriptError("invalid value \"\(token)\"")
            }
            // Added up step by step, as Prometheus does, so rounding matches its loaded data.
            let step = head[op] == "+" ? b : -b
            var v = a
            for _ in 0...n {
                out.append(.value(v))
                v += step
            }
        }
        return out
    }
}

/// A malformed test script or a failed expectation.
public struct ScriptError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ m: String) { message = m }
    public var description: String { message }
}
