/// Builds template nodes from text and action tokens; `define` and `block` bodies are collected by name.
struct TemplateParser {
    private let tokens: [TemplateLexer.Token]
    private var i = 0
    private let name: String
    private(set) var defines: [String: [TemplateNode]] = [:]

    init(_ source: String, name: String) throws(TemplateError) {
        self.tokens = try TemplateLexer.split(source, name: name)
        self.name = name
    }

    /// The whole template.
    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        let (nodes, end) = try parseList()
        if let (keyword, line) = end { throw fail("unexpected {{\(keyword)}}", line) }
        return nodes
    }

    private func fail(_ message: String, _ line: Int) -> TemplateError { TemplateError("template: \(name):\(line): \(message)") }

    /// Nodes up to an `end` or `else` action (returned with the rest of that action), or the end of input.
    private mutating func parseList() throws(TemplateError) -> ([TemplateNode], (String, Int)?) {
        var nodes: [TemplateNode] = []
        while i < tokens.count {
            let token = tokens[i]
            i += 1
            switch token {
            case .text(let t):
                nodes.append(.text(t))
            case .action(let text, let line):
                var lexemes = try TemplateLexer.lex(text, name: name, line: line)
                guard case .identifier(let keyword)? = lexemes.first else {
                    nodes.append(.action(try parsePipeline(lexemes, line: line), line: line))
                    continue
                }
                switch keyword {
                case "end":
                    return (nodes, ("end", line))
                case "else":
                    lexemes.removeFirst()
                    return (nodes, ("else" + (lexemes.isEmpty ? "" : " " + String(text.trimmingWhitespace.dropFirst(4)).trimmingWhitespace), line))
                case "if", "range", "with":
                    lexemes.removeFirst()
                    nodes.append(try parseControl(keyword, lexemes, line: line))
                case "define", "block":
                    lexemes.removeFirst()
                    guard case .string(let defined)? = lexemes.first else { throw fail("expected a quoted name after \(keyword)", line) }
                    let (body, end) = try parseList()
                    guard end?.0 == "end" else { throw fail("unexpected EOF in \(keyword)", line) }
                    defines[defined] = body
                    if keyword == "block" {
                        let rest = Array(lexemes.dropFirst())
                        nodes.append(.template(defined, rest.isEmpty ? nil : try parsePipeline(rest, line: line), line: line))
                    }
                case "template":
                    lexemes.removeFirst()
                    guard case .string(let called)? = lexemes.first else { throw fail("expected a quoted name after template", line) }
                    let rest = Array(lexemes.dropFirst())
                    nodes.append(.template(called, rest.isEmpty ? nil : try parsePipeline(rest, line: line), line: line))
                case "break": nodes.append(.breakLoop)
                case "continue": nodes.append(.continueLoop)
                default:
                    nodes.append(.action(try parsePipeline(lexemes, line: line), line: line))
                }
            }
        }
        return (nodes, nil)
    }

    /// `if`, `range` or `with`: its body, and an `else` branch (which may chain `else if`).
    private mutating func parseControl(_ keyword: String, _ lexemes: [TemplateLexer.Lexeme], line: Int) throws(TemplateError) -> TemplateNode {
        let pipeline = try parsePipeline(lexemes, line: line)
        let (body, end) = try parseList()
        var otherwise: [TemplateNode] = []
        guard let (ending, endLine) = end else { throw fail("unexpected EOF", line) }
        if ending.hasPrefix("else") {
            let chained = String(ending.dropFirst(4)).trimmingWhitespace
            if chained.isEmpty {
                let (elseBody, elseEnd) = try parseList()
                guard elseEnd?.0 == "end" else { throw fail("expected end; found \(elseEnd?.0 ?? "EOF")", endLine) }
                otherwise = elseBody
            } else {
                // `else if x` / `else with x`: a nested control that shares this one's `end`.
                var chainedLexemes = try TemplateLexer.lex(chained, name: name, line: endLine)
                guard case .identifier(let inner)? = chainedLexemes.first, inner == "if" || inner == "with" else {
                    throw fail("unexpected \"\(chained)\" after else", endLine)
                }
                chainedLexemes.removeFirst()
                otherwise = [try parseControl(inner, chainedLexemes, line: endLine)]
            }
        }
        switch keyword {
        case "if": return .ifNode(pipeline, then: body, otherwise: otherwise, line: line)
        case "range": return .range(pipeline, body: body, otherwise: otherwise, line: line)
        default: return .with(pipeline, body: body, otherwise: otherwise, line: line)
        }
    }

    /// `[$a[, $b] :=|=] command [| command...]`.
    private func parsePipeline(_ lexemes: [TemplateLexer.Lexeme], line: Int) throws(TemplateError) -> Pipeline {
        var p = Pipeline()
        var rest = lexemes[...]
        // Declarations: `$x :=`, `$i, $v :=`, `$x =`.
        var names: [String] = []
        var k = rest.startIndex
        while k < rest.endIndex, case .variable(let v) = rest[k] {
            names.append(v)
            k += 1
            if k < rest.endIndex, rest[k] == .comma { k += 1; continue }
            break
        }
        if !names.isEmpty, k < rest.endIndex, rest[k] == .declare || rest[k] == .assign {
            p.declarations = names
            p.isAssignment = rest[k] == .assign
            rest = rest[(k + 1)...]
        }
        var command: [Operand] = []
        while let lexeme = rest.first {
            rest = rest.dropFirst()
            switch lexeme {
            case .pipe:
                guard !command.isEmpty else { throw fail("missing command", line) }
                p.commands.append(command)
                command = []
            case .leftParen:
                var depth = 1
                var inner: [TemplateLexer.Lexeme] = []
                while let l = rest.first {
                    rest = rest.dropFirst()
                    if l == .leftParen { depth += 1 }
                    if l == .rightParen { depth -= 1; if depth == 0 { break } }
                    inner.append(l)
                }
                guard depth == 0 else { throw fail("unclosed left paren", line) }
                command.append(.group(try parsePipeline(inner, line: line), fields: Self.fields(&rest)))
            case .rightParen: throw fail("unexpected right paren", line)
            case .field(let f, _):
                var fields = [f]
                fields += Self.fields(&rest)
                command.append(.dot(fields: fields))
            case .dot: command.append(.dot(fields: []))
            case .variable(let v): command.append(.variable(v, fields: Self.fields(&rest)))
            case .string(let s): command.append(.literal(.string(s)))
            case .number(let n):
                if let i = Int(n) { command.append(.literal(.int(i))) } else if n.hasPrefix("0x"), let i = Int(n.dropFirst(2), radix: 16) {
                    command.append(.literal(.int(i)))
                } else if let d = Double(n) { command.append(.literal(.float(d))) } else { throw fail("bad number syntax: \"\(n)\"", line) }
            case .identifier(let id):
                switch id {
                case "true": command.append(.literal(.bool(true)))
                case "false": command.append(.literal(.bool(false)))
                case "nil": command.append(.literal(.null))
                default: command.append(.identifier(id))
                }
            case .comma, .declare, .assign: throw fail("unexpected \(lexeme) in command", line)
            }
        }
        guard !command.isEmpty else { throw fail("missing value for command", line) }
        p.commands.append(command)
        return p
    }

    private static func fields(_ rest: inout ArraySlice<TemplateLexer.Lexeme>) -> [String] {
        var out: [String] = []
        while case .field(let f, chained: true)? = rest.first {
            out.append(f)
            rest = rest.dropFirst()
        }
        return out
    }
}
