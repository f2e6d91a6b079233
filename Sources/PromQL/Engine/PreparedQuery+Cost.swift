import MetricModel

extension PreparedQuery {
    /// What one series or one operator costs at one evaluation step, relative to decoding one
    /// sample: a function over its window, a share of an aggregation or a binary operation, a
    /// node's own result (measured: about 100 ns against 3–5 ns).
    static let stepWeight: Double = 20

    /// A rough measure of the work of evaluating `e` at `steps` instants: every selected sample
    /// decoded once, every selected series and every operator at every step (weighted),
    /// and a subquery's inner expression at each of its own steps for each outer one. About
    /// 50,000 units take a millisecond on a small machine. Saturates rather than overflows: a
    /// nested subquery can ask for more points than an `Int` holds.
    static func cost(_ e: Expr, steps: Int, plan: SelectionPlan, options: QueryOptions) -> Int {
        let total = cost(e, steps: Double(steps), plan: plan, options: options)
        return total >= Double(Int.max / 2) ? Int.max / 2 : Int(total)
    }

    private static func cost(_ e: Expr, steps: Double, plan: SelectionPlan, options: QueryOptions) -> Double {
        func selector(_ s: VectorSelector) -> Double {
            let key = Evaluator.key(s)
            let series = Double(plan.series[key]?.count ?? 0)
            return Double(plan.samplesToRead(key)) + stepWeight * series * steps
        }
        switch e {
        case .number, .string:
            return stepWeight * steps
        case .vector(let s), .matrix(let s, _):
            return selector(s)
        case .subquery(let inner, let range, let step, _, _):
            let innerSteps = max(1, Double(range) / Double(max(1, step ?? options.defaultSubqueryStep)))
            return cost(inner, steps: steps * innerSteps, plan: plan, options: options)
        case .call(_, let args, _):
            return args.reduce(stepWeight * steps) { $0 + cost($1, steps: steps, plan: plan, options: options) }
        case .aggregate(_, let inner, let param, _, _, _):
            return stepWeight * steps + cost(inner, steps: steps, plan: plan, options: options)
                + (param.map { cost($0, steps: steps, plan: plan, options: options) } ?? 0)
        case .binary(_, let l, let r, _, _):
            return stepWeight * steps + cost(l, steps: steps, plan: plan, options: options) + cost(r, steps: steps, plan: plan, options: options)
        case .negate(let inner), .paren(let inner):
            return cost(inner, steps: steps, plan: plan, options: options)
        }
    }
}
