/// A function callable from templates: arguments in, a value or an error out.
public typealias TemplateFunction = @Sendable ([TemplateValue]) throws(TemplateError) -> TemplateValue

/// A parsed Go `text/template`, with the `define`d templates it and its associates declare.
///
/// Rules expand labels and annotations with it and the Alertmanager renders notifications with
/// it: `{{ $labels.instance }}`, pipelines, `if`/`else`/`range`/`with`, variables, comparisons,
/// `printf`, and whatever functions the caller adds (Prometheus' `humanize` family and so on).
public struct Template: Sendable {
    public let name: String
    let root: [TemplateNode]
    /// Named templates from `define` and `block`, this one's and any added with ``adding(_:)``.
    var defines: [String: [TemplateNode]]

    public init(_ source: String, name: String = "template") throws(TemplateError) {
        var parser = try TemplateParser(source, name: name)
        self.root = try parser.parse()
        self.name = name
        self.defines = parser.defines
    }

    init(name: String, root: [TemplateNode], defines: [String: [TemplateNode]]) {
        self.name = name
        self.root = root
        self.defines = defines
    }

    /// A template that renders nothing and defines nothing.
    public static let empty = Template(name: "empty", root: [], defines: [:])

    /// This template with the `define`d templates of `other` available to `{{ template }}`.
    public func adding(_ other: Template) -> Template {
        var copy = self
        for (k, v) in other.defines { copy.defines[k] = v }
        return copy
    }

    /// The names of `define`d templates.
    public var definedNames: [String] { defines.keys.sorted() }

    /// Renders with `data` as the starting dot; `functions` are added to the built-in ones.
    public func render(_ data: TemplateValue, functions: [String: TemplateFunction] = [:]) throws(TemplateError) -> String {
        try render(nodes: root, data: data, functions: functions)
    }

    /// Renders one `define`d template by name.
    public func render(defined: String, _ data: TemplateValue, functions: [String: TemplateFunction] = [:]) throws(TemplateError) -> String {
        guard let nodes = defines[defined] else { throw TemplateError("template: no template \"\(defined)\" associated with template \"\(name)\"") }
        return try render(nodes: nodes, data: data, functions: functions)
    }

    private func render(nodes: [TemplateNode], data: TemplateValue, functions: [String: TemplateFunction]) throws(TemplateError) -> String {
        var all = TemplateBuiltins.functions
        for (k, f) in functions { all[k] = f }
        var runner = TemplateRunner(name: name, functions: all, defines: defines)
        runner.variables = [("$", data)]
        _ = try runner.run(nodes, dot: data)
        return runner.output
    }
}

/// Executes template nodes, appending to `output`.
struct TemplateRunner {
    enum Flow { case normal, breakLoop, continueLoop }

    let name: String
    let functions: [String: TemplateFunction]
    let defines: [String: [TemplateNode]]
    var output = ""
    var variables: [(String, TemplateValue)] = []
    private var depth = 0

    init(name: String, functions: [String: TemplateFunction], defines: [String: [TemplateNode]]) {
        self.name = name
        self.functions = functions
        self.defines = defines
    }

    private func fail(_ message: String, _ line: Int) -> TemplateError { TemplateError("template: \(name):\(line): \(message)") }

    mutating func run(_ nodes: [TemplateNode], dot: TemplateValue) throws(TemplateError) -> Flow {
        for node in nodes {
            switch node {
            case .text(let t):
                output += t
            case .action(let p, let line):
                let v = try evaluate(p, dot: dot, line: line)
                if p.declarations.isEmpty { output += v.printed }
            case .ifNode(let p, let then, let otherwise, let line):
                let mark = variables.count
                let flow = try run(try evaluate(p, dot: dot, line: line).isTrue ? then : otherwise, dot: dot)
                variables.removeSubrange(mark...)
                if flow != .normal { return flow }
            case .with(let p, let body, let otherwise, let line):
                let mark = variables.count
                let v = try evaluate(p, dot: dot, line: line)
                let flow = v.isTrue ? try run(body, dot: v) : try run(otherwise, dot: dot)
                variables.removeSubrange(mark...)
                if flow != .normal { return flow }
            case .range(var p, let body, let otherwise, let line):
                let names = p.declarations
                p.declarations = []
                let over = try evaluate(p, dot: dot, line: line)
                var items: [(TemplateValue, TemplateValue)] = []
                switch over.unwrapped {
                case .list(let l): items = l.enumerated().map { (.int($0.offset), $0.element) }
                case .map(let m): items = m.keys.sorted().map { (.string($0), m[$0] ?? .null) }
                case .stringMap(let m): items = m.keys.sorted().map { (.string($0), .string(m[$0] ?? "")) }
                case .int(let n): items = (0..<max(0, n)).map { (.int($0), .int($0)) }
                case .null: items = []
                default: throw fail("range can't iterate over \(over.printed)", line)
                }
                if items.isEmpty {
                    let flow = try run(otherwise, dot: dot)
                    if flow != .normal { return flow }
                    continue
                }
                for (key, element) in items {
                    let mark = variables.count
                    if names.count == 1 { variables.append((names[0], element)) }
                    if names.count >= 2 { variables.append((names[0], key)); variables.append((names[1], element)) }
                    let flow = try run(body, dot: element)
                    variables.removeSubrange(mark...)
                    if flow == .breakLoop { break }
                }
            case .template(let called, let p, let line):
                guard let nodes = defines[called] else { throw fail("no such template \"\(called)\"", line) }
                depth += 1
                defer { depth -= 1 }
                guard depth < 100 else { throw fail("exceeded maximum template depth (100)", line) }
                let arg = try p.map { (p) throws(TemplateError) in try evaluate(p, dot: dot, line: line) } ?? .null
                let saved = variables
                variables = [("$", arg)]
                _ = try run(nodes, dot: arg)
                variables = saved
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
        }
        return .normal
    }

    /// Runs the commands left to right, each receiving the previous result as its last argument.
    mutating func evaluate(_ p: Pipeline, dot: TemplateValue, line: Int) throws(TemplateError) -> TemplateValue {
        var value: TemplateValue?
        for command in p.commands {
            value = try evaluate(command, piped: value, dot: dot, line: line)
        }
        let result = value ?? .null
        if p.isAssignment {
            for name in p.declarations {
                guard let idx = variables.lastIndex(where: { $0.0 == name }) else { throw fail("undefined variable: \(name)", line) }
                variables[idx].1 = result
            }
        } else {
            for name in p.declarations { variables.append((name, result)) }
        }
        return result
    }

    private mutating func evaluate(_ command: [Operand], piped: TemplateValue?, dot: TemplateValue, line: Int) throws(TemplateError) -> TemplateValue {
        guard let first = command.first else { throw fail("empty command", line) }
        if case .identifier(let fn) = first {
            guard let function = functions[fn] else { throw fail("function \"\(fn)\" not defined", line) }
            var args: [TemplateValue] = []
            for operand in command.dropFirst() { args.append(try value(of: operand, dot: dot, line: line).unwrapped) }
            if let piped { args.append(piped.unwrapped) }
            do { return try function(args) } catch { throw fail("error calling \(fn): \(error.message)", line) }
        }
        if command.count > 1 || piped != nil, let (receiverOperand, method) = Self.methodCall(first) {
            let receiver = try value(of: receiverOperand, dot: dot, line: line)
            if case .object(let o) = receiver, let function = o.methods[method] {
                var args: [TemplateValue] = []
                for operand in command.dropFirst() { args.append(try value(of: operand, dot: dot, line: line).unwrapped) }
                if let piped { args.append(piped.unwrapped) }
                do { return try function(args) } catch { throw fail("error calling \(method): \(error.message)", line) }
            }
        }
        guard command.count == 1, piped == nil else {
            throw fail("can't give argument to non-function \(Self.describe(first))", line)
        }
        return try value(of: first, dot: dot, line: line)
    }

    private mutating func value(of operand: Operand, dot: TemplateValue, line: Int) throws(TemplateError) -> TemplateValue {
        switch operand {
        case .literal(let v): return v
        case .dot(let fields): return try Self.fields(fields, of: dot, line: line, name: name)
        case .variable(let v, let fields):
            guard let value = variables.last(where: { $0.0 == v })?.1 else { throw fail("undefined variable \"\(v)\"", line) }
            return try Self.fields(fields, of: value, line: line, name: name)
        case .identifier(let fn):
            guard let function = functions[fn] else { throw fail("function \"\(fn)\" not defined", line) }
            do { return try function([]) } catch { throw fail("error calling \(fn): \(error.message)", line) }
        case .group(let p, let fields):
            return try Self.fields(fields, of: try evaluate(p, dot: dot, line: line), line: line, name: name)
        }
    }

    static func fields(_ names: [String], of start: TemplateValue, line: Int, name: String) throws(TemplateError) -> TemplateValue {
        var v = start
        for field in names {
            switch v {
            case .map(let m): v = m[field] ?? .null
            case .stringMap(let m): v = .string(m[field] ?? "")
            case .object(let o):
                if let method = o.methods[field] {
                    do { v = try method([]) } catch { throw TemplateError("template: \(name):\(line): error calling \(field): \(error.message)") }
                } else {
                    v = try fields([field], of: o.value, line: line, name: name)
                }
            case .null: return .null
            default: throw TemplateError("template: \(name):\(line): can't evaluate field \(field) in type \(v.typeName)")
            }
        }
        return v
    }

    /// `.A.Method`, `$x.Method` or `(p).Method` split into the receiver and the method name.
    static func methodCall(_ operand: Operand) -> (Operand, String)? {
        switch operand {
        case .dot(let f) where !f.isEmpty: return (.dot(fields: Array(f.dropLast())), f[f.count - 1])
        case .variable(let v, let f) where !f.isEmpty: return (.variable(v, fields: Array(f.dropLast())), f[f.count - 1])
        case .group(let p, let f) where !f.isEmpty: return (.group(p, fields: Array(f.dropLast())), f[f.count - 1])
        default: return nil
        }
    }

    static func describe(_ operand: Operand) -> String {
        switch operand {
        case .literal(let v): return v.printed
        case .dot(let f): return "." + f.joined(separator: ".")
        case .variable(let v, let f): return ([v] + f).joined(separator: ".")
        case .identifier(let i): return i
        case .group: return "(...)"
        }
    }
}
