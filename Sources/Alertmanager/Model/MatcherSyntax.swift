import MetricModel

/// A matcher list that could not be parsed, with the byte offset where it went wrong.
public struct MatcherSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var input: String
    public var position: Int
    public var message: String
    public var description: String { "bad matcher \(GoQuotedString.quote(input)) at position \(position): \(message)" }
}

/// Alertmanager's matcher syntax: `alertname="Down"`, `severity=~"crit|page"`, `{job!="x", env=prod}`.
///
/// Used for `matchers` in routes and inhibit rules, the API's `filter` parameter and silences
/// made from text. Names and values may be double-quoted (Go escapes) or bare; bare values run
/// to the next comma or closing brace, trimmed. Regular expressions are fully anchored.
public enum MatcherSyntax {
    /// A list of matchers, optionally in braces, separated by commas (a trailing comma is fine).
    public static func parseList(_ text: String) throws(MatcherSyntaxError) -> [LabelMatcher] {
        var p = Scanner(text)
        p.skipSpaces()
        let braced = p.consume(UInt8(ascii: "{"))
        var out: [LabelMatcher] = []
        while true {
            p.skipSpaces()
            if p.atEnd || (braced && p.peek == UInt8(ascii: "}")) { break }
            out.append(try p.matcher())
            p.skipSpaces()
            if !p.consume(UInt8(ascii: ",")) { break }
        }
        p.skipSpaces()
        if braced, !p.consume(UInt8(ascii: "}")) { throw p.fail("expected } to close the matcher list") }
        p.skipSpaces()
        if !p.atEnd { throw p.fail("unexpected \(p.rest)") }
        return out
    }

    /// Exactly one matcher (the API's `filter` values).
    public static func parseOne(_ text: String) throws(MatcherSyntaxError) -> LabelMatcher {
        let list = try parseList(text)
        guard list.count == 1 else {
            throw MatcherSyntaxError(input: text, position: 0, message: "expected exactly one matcher, found \(list.count)")
        }
        return list[0]
    }

    /// The form Alertmanager prints a matcher in (route keys, group keys): `name="value"`.
    public static func format(_ m: LabelMatcher) -> String {
        let name = isPlainName(m.name) ? m.name : GoQuotedString.quote(m.name)
        return name + m.kind.rawValue + GoQuotedString.quote(m.value)
    }

    /// `{a="1",b=~"2"}` as route keys print a route's matchers.
    public static func format(_ list: [LabelMatcher]) -> String {
        "{" + list.map(format).joined(separator: ",") + "}"
    }

    static func isPlainName(_ s: String) -> Bool {
        guard let first = s.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return s.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "_")
        }
    }

    /// A cursor over the matcher text's bytes.
    struct Scanner {
        let text: String
        let bytes: [UInt8]
        var i = 0

        init(_ text: String) {
            self.text = text
            self.bytes = Array(text.utf8)
        }

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }
        var rest: String { String(decoding: bytes[min(i, bytes.count)...], as: UTF8.self) }

        func fail(_ message: String) -> MatcherSyntaxError {
            MatcherSyntaxError(input: text, position: i, message: message)
        }

        mutating func skipSpaces() {
            while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
        }

        mutating func consume(_ c: UInt8) -> Bool {
            guard peek == c else { return false }
            i += 1
            return true
        }

        mutating func matcher() throws(MatcherSyntaxError) -> LabelMatcher {
            let name: String
            if peek == UInt8(ascii: "\"") {
                name = try quoted()
            } else {
                let start = i
                while let c = peek, !Self.isOperatorStart(c), c != 0x20, c != UInt8(ascii: ","), c != UInt8(ascii: "{"),
                      c != UInt8(ascii: "}"), c != UInt8(ascii: "\"") { i += 1 }
                name = String(decoding: bytes[start..<i], as: UTF8.self)
            }
            guard !name.isEmpty else { throw fail("expected a label name") }
            skipSpaces()
            let kind: LabelMatcher.Kind
            if consume(UInt8(ascii: "=")) {
                kind = consume(UInt8(ascii: "~")) ? .regexMatch : .equal
            } else if consume(UInt8(ascii: "!")) {
                if consume(UInt8(ascii: "=")) { kind = .notEqual } else if consume(UInt8(ascii: "~")) { kind = .regexNoMatch } else {
                    throw fail("expected != or !~")
                }
            } else {
                throw fail("expected an operator (=, !=, =~, !~) after \(name)")
            }
            skipSpaces()
            let value: String
            if peek == UInt8(ascii: "\"") {
                value = try quoted()
            } else {
                let start = i
                while let c = peek, c != UInt8(ascii: ","), c != UInt8(ascii: "}"), c != UInt8(ascii: "\"") { i += 1 }
                value = String(decoding: bytes[start..<i], as: UTF8.self).trimmingSpaces()
            }
            do { return try LabelMatcher(kind, name, value) } catch {
                throw fail("invalid regular expression \(GoQuotedString.quote(value)): \(error)")
            }
        }

        static func isOperatorStart(_ c: UInt8) -> Bool { c == UInt8(ascii: "=") || c == UInt8(ascii: "!") || c == UInt8(ascii: "~") }

        /// A double-quoted string with Go's escapes.
        mutating func quoted() throws(MatcherSyntaxError) -> String {
            let open = i
            i += 1
            var out: [UInt8] = []
            while let c = peek {
                i += 1
                if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                guard c == UInt8(ascii: "\\") else { out.append(c); continue }
                guard let e = peek else { break }
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(e)
                default: out.append(UInt8(ascii: "\\")); out.append(e)
                }
            }
            i = open
            throw fail("unterminated quoted string")
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
