import MetricModel
import PromQL

/// `/api/v1/parse_query`: the syntax tree as Prometheus serialises it for its UI's tree view —
/// one object per node with a `type`, keys in alphabetical order (as Go writes maps).
enum ParseTreeJSON {
    static func write(_ e: Expr, into w: inout JSONWriter) {
        switch e {
        case .number(let v):
            w.raw("{\"type\":\"numberLiteral\",\"val\":")
            w.string(GoFloat.format(v))
            w.raw("}")
        case .string(let s):
            w.raw("{\"type\":\"stringLiteral\",\"val\":")
            w.string(s.value)
            w.raw("}")
        case .vector(let s):
            w.raw("{")
            selectorFields(s, into: &w)
            w.raw(",\"type\":\"vectorSelector\"}")
        case .matrix(let s, let range):
            w.raw("{")
            selectorFields(s, range: range, into: &w)
            w.raw(",\"type\":\"matrixSelector\"}")
        case .subquery(let inner, let range, let step, let offset, let at):
            w.raw("{\"expr\":")
            write(inner, into: &w)
            w.raw(",\"offset\":")
            w.integer(offset)
            w.raw(",\"range\":")
            w.integer(range)
            modifierFields(at, step: step ?? 0, into: &w)
            w.raw(",\"type\":\"subquery\"}")
        case .call(let name, let args, _):
            w.raw("{\"args\":[")
            for (i, a) in args.enumerated() {
                if i > 0 { w.raw(",") }
                write(a, into: &w)
            }
            w.raw("],\"func\":{\"argTypes\":[")
            let signature = FunctionTable.functions[name]
            for (i, t) in (signature?.args ?? []).enumerated() {
                if i > 0 { w.raw(",") }
                w.string(typeName(t))
            }
            w.raw("],\"name\":")
            w.string(name)
            w.raw(",\"returnType\":")
            w.string(typeName(signature?.returns ?? .vector))
            w.raw(",\"variadic\":")
            w.integer(Int64(signature?.optional ?? 0))
            w.raw("},\"type\":\"call\"}")
        case .aggregate(let op, let inner, let param, let grouping, let without, _):
            w.raw("{\"expr\":")
            write(inner, into: &w)
            w.raw(",\"grouping\":")
            strings(grouping, into: &w)
            w.raw(",\"op\":")
            w.string(op.rawValue)
            w.raw(",\"param\":")
            if let param { write(param, into: &w) } else { w.raw("null") }
            w.raw(",\"type\":\"aggregation\",\"without\":")
            w.raw(without ? "true" : "false")
            w.raw("}")
        case .binary(let op, let l, let r, let matching, let returnBool):
            w.raw("{\"bool\":")
            w.raw(returnBool ? "true" : "false")
            w.raw(",\"lhs\":")
            write(l, into: &w)
            w.raw(",\"matching\":")
            if let m = matching {
                w.raw("{\"card\":")
                switch m.cardinality {
                case .oneToOne: w.raw("\"one-to-one\"")
                case .manyToOne: w.raw("\"many-to-one\"")
                case .oneToMany: w.raw("\"one-to-many\"")
                case .manyToMany: w.raw("\"many-to-many\"")
                }
                w.raw(",\"include\":")
                strings(m.include, into: &w)
                w.raw(",\"labels\":")
                strings(m.labels, into: &w)
                w.raw(",\"on\":")
                w.raw(m.on ? "true" : "false")
                w.raw("}")
            } else {
                w.raw("null")
            }
            w.raw(",\"op\":")
            w.string(op.rawValue)
            w.raw(",\"rhs\":")
            write(r, into: &w)
            w.raw(",\"type\":\"binaryExpr\"}")
        case .negate(let inner):
            w.raw("{\"expr\":")
            write(inner, into: &w)
            w.raw(",\"op\":\"-\",\"type\":\"unaryExpr\"}")
        case .paren(let inner):
            w.raw("{\"expr\":")
            write(inner, into: &w)
            w.raw(",\"type\":\"parenExpr\"}")
        }
    }

    /// Go's names for value types in function signatures.
    private static func typeName(_ t: ValueType) -> String {
        switch t {
        case .scalar: return "scalar"
        case .vector: return "vector"
        case .matrix: return "matrix"
        case .string: return "string"
        }
    }

    /// `matchers`, `name`, `offset`, [`range`], `startOrEnd`, `timestamp`, without braces.
    private static func selectorFields(_ s: VectorSelector, range: Int64? = nil, into w: inout JSONWriter) {
        w.raw("\"matchers\":[")
        for (i, m) in s.matchers.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"name\":")
            w.string(m.name)
            w.raw(",\"type\":")
            w.string(m.kind.rawValue)
            w.raw(",\"value\":")
            w.string(m.value)
            w.raw("}")
        }
        w.raw("],\"name\":")
        w.string(s.name ?? "")
        w.raw(",\"offset\":")
        w.integer(s.offset)
        if let range {
            w.raw(",\"range\":")
            w.integer(range)
        }
        modifierFields(s.at, into: &w)
    }

    /// `startOrEnd`, [`step`,] `timestamp`.
    private static func modifierFields(_ at: AtModifier?, step: Int64? = nil, into w: inout JSONWriter) {
        w.raw(",\"startOrEnd\":")
        switch at {
        case .start: w.raw("\"start\"")
        case .end: w.raw("\"end\"")
        case .timestamp, nil: w.raw("null")
        }
        if let step {
            w.raw(",\"step\":")
            w.integer(step)
        }
        w.raw(",\"timestamp\":")
        if case .timestamp(let ms) = at { w.integer(ms) } else { w.raw("null") }
    }

    private static func strings(_ list: [String], into w: inout JSONWriter) {
        w.raw("[")
        for (i, s) in list.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(s)
        }
        w.raw("]")
    }
}
