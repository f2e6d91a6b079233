/// Splits a PromQL query into tokens.
struct Lexer {
    private let bytes: [UInt8]
    let query: String
    private var pos = 0
    /// Bracket depth: inside `[...]`, `5m` is a duration; `:` splits subqueries.
    private var bracketDepth = 0

    init(_ query: String) {
        self.query = query
        self.bytes = Array(query.utf8)
    }

    /// Line and column (1-based, columns in characters) of a byte offset.
    static func position(of offset: Int, in query: String) -> (line: Int, column: Int) {
        var line = 1, column = 1, i = 0
        for ch in query.unicodeScalars {
            if i >= offset { break }
            if ch == "\n" { line += 1; column = 1 } else { column += 1 }
            i += String(ch).utf8.count
        }
        return (line, column)
    }

    func error(_ message: String, at offset: Int) -> ParseError {
        let p = Self.position(of: offset, in: query)
        return ParseError(line: p.line, column: p.column, message: message)
    }

    mutating func tokenize() throws(ParseError) -> [Token] {
        var out: [Token] = []
        while true {
            let t = try next()
            out.append(t)
            if t.kind == .eof { return out }
        }
    }

    private func peek(_ k: Int = 0) -> UInt8? { pos + k < bytes.count ? bytes[pos + k] : nil }

    private static func isAlpha(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func next() throws(ParseError) -> Token {
        // Whitespace and comments.
        while let b = peek() {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { pos += 1; continue }
            if b == UInt8(ascii: "#") {
                while let c = peek(), c != 0x0A { _ = c; pos += 1 }
                continue
            }
            break
        }
        let start = pos
        guard let b = peek() else { return Token(kind: .eof, offset: pos) }
        func tok(_ k: Token.Kind, _ len: Int) -> Token {
            pos += len
            return Token(kind: k, offset: start)
        }
        switch b {
        case UInt8(ascii: "("): return tok(.leftParen, 1)
        case UInt8(ascii: ")"): return tok(.rightParen, 1)
        case UInt8(ascii: "{"): return tok(.leftBrace, 1)
        case UInt8(ascii: "}"): return tok(.rightBrace, 1)
        case UInt8(ascii: "["): bracketDepth += 1; return tok(.leftBracket, 1)
        case UInt8(ascii: "]"): bracketDepth = max(0, bracketDepth - 1); return tok(.rightBracket, 1)
        case UInt8(ascii: ","): return tok(.comma, 1)
        case UInt8(ascii: ":"): return tok(.colon, 1)
        case UInt8(ascii: "@"): return tok(.at, 1)
        case UInt8(ascii: "+"): return tok(.add, 1)
        case UInt8(ascii: "-"): return tok(.sub, 1)
        case UInt8(ascii: "*"): return tok(.mul, 1)
        case UInt8(ascii: "/"): return tok(.div, 1)
        case UInt8(ascii: "%"): return tok(.mod, 1)
        case UInt8(ascii: "^"): return tok(.pow, 1)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { return tok(.equal, 2) }
            if peek(1) == UInt8(ascii: "~") { return tok(.regexMatch, 2) }
            return tok(.assign, 1)
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { return tok(.notEqual, 2) }
            if peek(1) == UInt8(ascii: "~") { return tok(.regexNoMatch, 2) }
            throw error("unexpected character after '!': \(describe(peek(1)))", at: start)
        case UInt8(ascii: ">"):
            return peek(1) == UInt8(ascii: "=") ? tok(.greaterEqual, 2) : tok(.greater, 1)
        case UInt8(ascii: "<"):
            return peek(1) == UInt8(ascii: "=") ? tok(.lessEqual, 2) : tok(.less, 1)
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            let bytes = try lexString(quote: b)
            guard let s = String(validating: bytes, as: UTF8.self) else { return Token(kind: .invalidUTF8String(bytes), offset: start) }
            return Token(kind: .string(s), offset: start)
        default:
            if Self.isDigit(b) || (b == UInt8(ascii: ".") && peek(1).map(Self.isDigit) == true) {
                return try lexNumberOrDuration()
            }
            if Self.isAlpha(b) || b == UInt8(ascii: ":") {
                var sawColon = false
                while let c = peek(), Self.isAlpha(c) || Self.isDigit(c) || c == UInt8(ascii: ":") {
                    if c == UInt8(ascii: ":") { sawColon = true }
                    pos += 1
                }
                let word = String(decoding: bytes[start..<pos], as: UTF8.self)
                // Inf and NaN are numbers wherever an identifier could not follow.
                let lower = word.lowercased()
                if lower == "inf" || lower == "infinity" { return Token(kind: .number(.infinity), offset: start) }
                if lower == "nan" { return Token(kind: .number(.nan), offset: start) }
                return Token(kind: sawColon ? .metricIdentifier(word) : .identifier(word), offset: start)
            }
            throw error("unexpected character: \(describe(b))", at: start)
        }
    }

    private func describe(_ b: UInt8?) -> String {
        guard let b else { return "end of input" }
        return "'\(String(decoding: [b], as: UTF8.self))'"
    }

    private static let durationUnits: [(String, Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000), ("y", 31_536_000_000),
    ]

    private mutating func lexNumberOrDuration() throws(ParseError) -> Token {
        let start = pos
        // Hex integers.
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            pos += 2
            let hs = pos
            while let c = peek(), Self.isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) { pos += 1 }
            guard pos > hs, let v = UInt64(String(decoding: bytes[hs..<pos], as: UTF8.self), radix: 16) else {
                throw error("bad number or duration syntax: \"\(String(decoding: bytes[start..<pos], as: UTF8.self))\"", at: start)
            }
            return Token(kind: .number(Double(v)), offset: start)
        }
        // A duration: digits followed by a unit, repeated (1h30m).
        var probe = pos
        var isDuration = false
        while probe < bytes.count, Self.isDigit(bytes[probe]) { probe += 1 }
        if probe < bytes.count, probe > pos {
            let c = bytes[probe]
            if c == UInt8(ascii: "m") || c == UInt8(ascii: "s") || c == UInt8(ascii: "h") || c == UInt8(ascii: "d")
                || c == UInt8(ascii: "w") || c == UInt8(ascii: "y") {
                // Not an exponent or identifier start like "5e3"; units are letters above.
                isDuration = true
            }
        }
        if isDuration {
            var total: Int64 = 0
            var lastRank = Int.max
            while let c = peek(), Self.isDigit(c) {
                let ns = pos
                while let d = peek(), Self.isDigit(d) { pos += 1 }
                guard let n = Int64(String(decoding: bytes[ns..<pos], as: UTF8.self)) else {
                    throw error("duration out of range", at: start)
                }
                var matched: (String, Int64)?
                for (i, u) in Self.durationUnits.enumerated().reversed() where matched == nil {
                    let unit = Array(u.0.utf8)
                    if pos + unit.count <= bytes.count, Array(bytes[pos..<pos + unit.count]) == unit {
                        // "m" must not swallow the "m" of "ms".
                        if u.0 == "m", peek(1) == UInt8(ascii: "s") { continue }
                        guard i < lastRank else { throw error("not a valid duration string: \"\(String(decoding: bytes[start..<min(bytes.count, pos + 2)], as: UTF8.self))\"", at: start) }
                        lastRank = i
                        matched = u
                    }
                }
                guard let unit = matched else {
                    // The digits may end the query ("4y5"): quote up to one byte past them.
                    let end = min(bytes.count, pos + 1)
                    throw error("bad number or duration syntax: \"\(String(decoding: bytes[start..<end], as: UTF8.self))\"", at: start)
                }
                pos += unit.0.utf8.count
                let (v, o1) = n.multipliedReportingOverflow(by: unit.1)
                let (t, o2) = total.addingReportingOverflow(v)
                if o1 || o2 { throw error("duration out of range", at: start) }
                total = t
            }
            if let c = peek(), Self.isAlpha(c) {
                throw error("bad number or duration syntax: \"\(String(decoding: bytes[start...pos], as: UTF8.self))\"", at: start)
            }
            return Token(kind: .duration(total), offset: start)
        }
        // A decimal number with optional exponent.
        while let c = peek(), Self.isDigit(c) || c == UInt8(ascii: ".") { pos += 1 }
        if let c = peek(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            var p = pos + 1
            if p < bytes.count, bytes[p] == UInt8(ascii: "+") || bytes[p] == UInt8(ascii: "-") { p += 1 }
            if p < bytes.count, Self.isDigit(bytes[p]) {
                pos = p
                while let d = peek(), Self.isDigit(d) { pos += 1 }
            }
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if let c = peek(), Self.isAlpha(c) {
            throw error("bad number or duration syntax: \"\(text)\(String(decoding: [c], as: UTF8.self))\"", at: start)
        }
        guard let v = Double(text) else { throw error("bad number or duration syntax: \"\(text)\"", at: start) }
        return Token(kind: .number(v), offset: start)
    }

    /// Double- and single-quoted strings take Go escapes; backquoted strings are raw. The bytes
    /// need not be valid UTF-8 (`"\xff"`), as in Go.
    private mutating func lexString(quote: UInt8) throws(ParseError) -> [UInt8] {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw error("unterminated quoted string", at: start) }
            pos += 1
            if c == quote { break }
            if quote == UInt8(ascii: "`") { out.append(c); continue }
            if c == 0x0A { throw error("unterminated quoted string", at: start) }
            guard c == 0x5C else { out.append(c); continue }
            guard let e = peek() else { throw error("unterminated quoted string", at: start) }
            pos += 1
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case 0x5C: out.append(0x5C)
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard e == quote else { throw error("unknown escape sequence", at: pos - 2) }
                out.append(e)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                guard pos + n <= bytes.count, let v = UInt32(String(decoding: bytes[pos..<pos + n], as: UTF8.self), radix: 16) else {
                    throw error("invalid escape sequence", at: pos - 2)
                }
                pos += n
                if e == UInt8(ascii: "x") { out.append(UInt8(v)) } else {
                    guard let s = Unicode.Scalar(v) else { throw error("invalid Unicode code point in escape sequence", at: pos - n - 2) }
                    out.append(contentsOf: Array(String(s).utf8))
                }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard pos + 2 <= bytes.count, let v = UInt8(String(decoding: bytes[pos - 1..<pos + 2], as: UTF8.self), radix: 8) else {
                    throw error("invalid escape sequence", at: pos - 2)
                }
                pos += 2
                out.append(v)
            default:
                throw error("unknown escape sequence", at: pos - 2)
            }
        }
        return out
    }
}
