/// The parsed form of a template: text, actions and control structures.
indirect enum TemplateNode: Sendable {
    case text(String)
    /// `{{ pipeline }}`: prints the result unless the pipeline declares variables.
    case action(Pipeline, line: Int)
    case ifNode(Pipeline, then: [TemplateNode], otherwise: [TemplateNode], line: Int)
    case range(Pipeline, body: [TemplateNode], otherwise: [TemplateNode], line: Int)
    case with(Pipeline, body: [TemplateNode], otherwise: [TemplateNode], line: Int)
    case template(String, Pipeline?, line: Int)
    case breakLoop
    case continueLoop
}

/// `$x := cmd | cmd arg`.
struct Pipeline: Sendable {
    var declarations: [String] = []
    /// `=` rather than `:=`: assigns to variables already declared.
    var isAssignment = false
    var commands: [[Operand]] = []
}

/// One argument or function of a command.
indirect enum Operand: Sendable {
    /// `.`, or `.A.B` (fields of dot).
    case dot(fields: [String])
    /// `$x.A.B`; `$` alone is the template's starting dot.
    case variable(String, fields: [String])
    case identifier(String)
    case literal(TemplateValue)
    /// `(pipeline).A`.
    case group(Pipeline, fields: [String])
}

/// A template that failed to parse or execute: the message names the template and line as Go does.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Splits template text into text and action tokens, and action text into lexemes.
struct TemplateLexer {
    enum Token: Equatable {
        case text(String)
        /// The inside of `{{ ... }}` with trim markers removed, and its line.
        case action(String, line: Int)
    }

    /// Text and actions, with `{{-` / `-}}` trimming and `{{/* */}}` comments applied.
    static func split(_ source: String, name: String) throws(TemplateError) -> [Token] {
        var tokens: [Token] = []
        let s = Array(source.unicodeScalars)
        var i = 0
        var text = ""
        var line = 1
        while i < s.count {
            if s[i] == "{" && i + 1 < s.count && s[i + 1] == "{" {
                var start = i + 2
                let actionLine = line
                // `{{- ` trims white space before.
                if start + 1 < s.count && s[start] == "-" && (s[start + 1] == " " || s[start + 1] == "\t" || s[start + 1] == "\n") {
                    while let last = text.unicodeScalars.last, last == " " || last == "\t" || last == "\n" || last == "\r" { text.unicodeScalars.removeLast() }
                    start += 2
                }
                if !text.isEmpty { tokens.append(.text(text)) }
                text = ""
                // Find the closing braces outside quoted strings.
                var j = start
                var quote: Unicode.Scalar?
                var end: Int?
                while j < s.count {
                    let c = s[j]
                    if let q = quote {
                        if c == "\\" && q != "`" { j += 2; continue }
                        if c == q { quote = nil }
                    } else if c == "\"" || c == "`" || c == "'" {
                        quote = c
                    } else if c == "}" && j + 1 < s.count && s[j + 1] == "}" {
                        end = j
                        break
                    }
                    if c == "\n" { line += 1 }
                    j += 1
                }
                guard let close = end else {
                    throw TemplateError("template: \(name):\(actionLine): " + (quote == nil ? "unclosed action" : "unterminated quoted string"))
                }
                var inner = String(String.UnicodeScalarView(s[start..<close]))
                var after = close + 2
                // ` -}}` trims white space after.
                if inner.hasSuffix(" -") || inner.hasSuffix("\t-") || inner.hasSuffix("\n-") || inner == "-" {
                    inner.removeLast()
                    while after < s.count, s[after] == " " || s[after] == "\t" || s[after] == "\n" || s[after] == "\r" {
                        if s[after] == "\n" { line += 1 }
                        after += 1
                    }
                }
                let trimmed = inner.trimmingWhitespace
                if !(trimmed.hasPrefix("/*") && trimmed.hasSuffix("*/")) {
                    tokens.append(.action(inner, line: actionLine))
                }
                i = after
                continue
            }
            if s[i] == "\n" { line += 1 }
            text.unicodeScalars.append(s[i])
            i += 1
        }
        if !text.isEmpty { tokens.append(.text(text)) }
        return tokens
    }

    enum Lexeme: Equatable {
        case identifier(String)
        /// `.Name`; `chained` when it directly follows a value (`$x.Name`, `.A.Name`, `(p).Name`)
        /// rather than starting a new operand after a space.
        case field(String, chained: Bool)
        case variable(String)
        case string(String)
        case number(String)
        case dot, pipe, leftParen, rightParen, declare, assign, comma
    }

    /// The lexemes of one action.
    static func lex(_ text: String, name: String, line: Int) throws(TemplateError) -> [Lexeme] {
        let s = Array(text.unicodeScalars)
        var out: [Lexeme] = []
        var i = 0
        func fail(_ m: String) -> TemplateError { TemplateError("template: \(name):\(line): \(m)") }
        func isIdent(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic || ("0"..."9").contains(c) }
        while i < s.count {
            let c = s[i]
            switch c {
            case " ", "\t", "\n", "\r": i += 1
            case "|": out.append(.pipe); i += 1
            case "(": out.append(.leftParen); i += 1
            case ")": out.append(.rightParen); i += 1
            case ",": out.append(.comma); i += 1
            case "=": out.append(.assign); i += 1
            case ":":
                guard i + 1 < s.count, s[i + 1] == "=" else { throw fail("expected :=") }
                out.append(.declare); i += 2
            case "\"":
                var value = ""
                i += 1
                var closed = false
                while i < s.count {
                    let d = s[i]
                    if d == "\"" { closed = true; i += 1; break }
                    if d == "\\", i + 1 < s.count {
                        let e = s[i + 1]
                        switch e {
                        case "n": value += "\n"
                        case "t": value += "\t"
                        case "r": value += "\r"
                        case "\\": value += "\\"
                        case "\"": value += "\""
                        case "'": value += "'"
                        case "a": value += "\u{07}"
                        case "b": value += "\u{08}"
                        case "f": value += "\u{0C}"
                        case "v": value += "\u{0B}"
                        case "x", "u", "U":
                            let width = e == "x" ? 2 : (e == "u" ? 4 : 8)
                            guard i + 2 + width <= s.count,
                                  let code = UInt32(String(String.UnicodeScalarView(s[(i + 2)..<(i + 2 + width)])), radix: 16),
                                  let scalar = Unicode.Scalar(code) else { throw fail("invalid syntax in string escape") }
                            value.unicodeScalars.append(scalar)
                            i += width
                        default: throw fail("invalid syntax in string escape")
                        }
                        i += 2
                        continue
                    }
                    value.unicodeScalars.append(d)
                    i += 1
                }
                guard closed else { throw fail("unterminated quoted string") }
                out.append(.string(value))
            case "`":
                guard let end = s[(i + 1)...].firstIndex(of: "`") else { throw fail("unterminated raw quoted string") }
                out.append(.string(String(String.UnicodeScalarView(s[(i + 1)..<end]))))
                i = end + 1
            case ".":
                if i + 1 < s.count, isIdent(s[i + 1]), !("0"..."9").contains(s[i + 1]) {
                    var j = i + 1
                    while j < s.count, isIdent(s[j]) { j += 1 }
                    let chained = i > 0 && !s[i - 1].properties.isWhitespace && s[i - 1] != "(" && s[i - 1] != "|"
                    out.append(.field(String(String.UnicodeScalarView(s[(i + 1)..<j])), chained: chained))
                    i = j
                } else if i + 1 < s.count, ("0"..."9").contains(s[i + 1]) {
                    var j = i + 1
                    while j < s.count, ("0"..."9").contains(s[j]) || s[j] == "e" || s[j] == "E" { j += 1 }
                    out.append(.number(String(String.UnicodeScalarView(s[i..<j]))))
                    i = j
                } else {
                    out.append(.dot); i += 1
                }
            case "$":
                var j = i + 1
                while j < s.count, isIdent(s[j]) { j += 1 }
                out.append(.variable(String(String.UnicodeScalarView(s[i..<j]))))
                i = j
            case "-", "+", "0"..."9":
                var j = i + 1
                while j < s.count, isIdent(s[j]) || s[j] == "." || ((s[j] == "-" || s[j] == "+") && (s[j - 1] == "e" || s[j - 1] == "E")) { j += 1 }
                out.append(.number(String(String.UnicodeScalarView(s[i..<j]))))
                i = j
            default:
                guard isIdent(c) else { throw fail("unexpected \"\(c)\" in command") }
                var j = i
                while j < s.count, isIdent(s[j]) { j += 1 }
                out.append(.identifier(String(String.UnicodeScalarView(s[i..<j]))))
                i = j
            }
        }
        return out
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self).unicodeScalars
        while let f = scalars.first, f == " " || f == "\t" || f == "\n" || f == "\r" { scalars.removeFirst() }
        while let l = scalars.last, l == " " || l == "\t" || l == "\n" || l == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
