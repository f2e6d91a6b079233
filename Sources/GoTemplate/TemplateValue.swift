/// A value inside a template: what `.`, variables, fields and function results hold.
public indirect enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([TemplateValue])
    /// A map whose missing keys read as nil (`<no value>` when printed), like Go's `map[string]any`.
    case map([String: TemplateValue])
    /// A map of strings whose missing keys read as "" (label sets: Go's `map[string]string`).
    case stringMap([String: String])
    /// A value with methods, like a Go named type: `.CommonLabels.SortedPairs`, `.Alerts.Firing`.
    /// Fields first try a method of that name, then the wrapped value.
    case object(TemplateObject)

    /// The value without its methods (functions, `range`, printing and comparisons see this).
    public var unwrapped: TemplateValue {
        if case .object(let o) = self { return o.value.unwrapped }
        return self
    }

    /// Go's truth: false, 0, nil and empty strings, lists and maps are false.
    public var isTrue: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let f): return f != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        case .stringMap(let m): return !m.isEmpty
        case .object(let o): return o.value.isTrue
        }
    }

    /// The text `{{ . }}` prints, as Go's fmt prints the value with `%v`.
    public var printed: String {
        switch self {
        case .null: return "<no value>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let f): return GoFormat.general(f)
        case .string(let s): return s
        case .list(let l): return "[" + l.map(\.printedInside).joined(separator: " ") + "]"
        case .map(let m): return "map[" + m.keys.sorted().map { "\($0):\(m[$0]?.printedInside ?? "<nil>")" }.joined(separator: " ") + "]"
        case .stringMap(let m): return "map[" + m.keys.sorted().map { "\($0):\(m[$0] ?? "")" }.joined(separator: " ") + "]"
        case .object(let o): return o.value.printed
        }
    }

    /// Inside lists and maps Go prints nil as `<nil>`.
    private var printedInside: String {
        if case .null = self { return "<nil>" }
        return printed
    }

    /// A number as a Double, when the value is one (or a string that parses as one).
    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let f): return f
        case .string(let s): return Double(s)
        case .object(let o): return o.value.number
        default: return nil
        }
    }

    var typeName: String {
        switch self {
        case .null: return "nil"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float64"
        case .string: return "string"
        case .list: return "slice"
        case .map, .stringMap: return "map"
        case .object(let o): return o.value.typeName
        }
    }
}

/// A template value together with the methods templates may call on it (Go's methods on named
/// types, such as Alertmanager's `KV.SortedPairs` or `Alerts.Firing`). Equality ignores methods.
public struct TemplateObject: Sendable, Equatable {
    public var value: TemplateValue
    /// Called with the arguments written after the method name (none for `.A.Method`).
    public var methods: [String: TemplateFunction]

    public init(_ value: TemplateValue, methods: [String: TemplateFunction]) {
        self.value = value
        self.methods = methods
    }

    public static func == (a: TemplateObject, b: TemplateObject) -> Bool { a.value == b.value }
}
