extension Expr {
    /// The same expression with every vector selector (plain, in a range, in a subquery) passed
    /// through `transform`: how dashboards add ad-hoc label filters to any query.
    public func mappingSelectors(_ transform: (VectorSelector) -> VectorSelector) -> Expr {
        switch self {
        case .number, .string: return self
        case .vector(let s): return .vector(transform(s))
        case .matrix(let s, let range): return .matrix(transform(s), range: range)
        case .subquery(let e, let range, let step, let offset, let at):
            return .subquery(e.mappingSelectors(transform), range: range, step: step, offset: offset, at: at)
        case .call(let name, let args, let positions): return .call(name, args.map { $0.mappingSelectors(transform) }, positions: positions)
        case .aggregate(let op, let e, let param, let grouping, let without, let position):
            return .aggregate(op, e.mappingSelectors(transform), param: param?.mappingSelectors(transform), grouping: grouping,
                              without: without, paramPosition: position)
        case .binary(let op, let l, let r, let matching, let returnBool):
            return .binary(op, l.mappingSelectors(transform), r.mappingSelectors(transform), matching: matching, returnBool: returnBool)
        case .negate(let e): return .negate(e.mappingSelectors(transform))
        case .paren(let e): return .paren(e.mappingSelectors(transform))
        }
    }
}
