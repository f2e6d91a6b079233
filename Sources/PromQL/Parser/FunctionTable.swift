/// Signatures of PromQL functions: argument types and result type, for parse-time checks.
public struct FunctionSignature: Sendable {
    public let name: String
    public let args: [ValueType]
    /// How many trailing arguments may be left out (-1: the last may repeat without limit).
    public let optional: Int
    public let returns: ValueType
}

/// Every function the parser knows.
public enum FunctionTable {
    static let mathNames = ["abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "sgn",
                            "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad"]
    static let overTimeNames = ["avg_over_time", "count_over_time", "last_over_time", "max_over_time", "min_over_time",
                                "present_over_time", "stddev_over_time", "stdvar_over_time", "sum_over_time", "mad_over_time",
                                "first_over_time", "ts_of_first_over_time", "ts_of_last_over_time", "ts_of_max_over_time",
                                "ts_of_min_over_time"]
    static let rangeNames = ["changes", "delta", "deriv", "idelta", "increase", "irate", "rate", "resets"]
    static let dateNames = ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"]

    public static let functions: [String: FunctionSignature] = {
        var f: [String: FunctionSignature] = [:]
        func add(_ n: String, _ a: [ValueType], _ r: ValueType, optional: Int = 0) {
            f[n] = FunctionSignature(name: n, args: a, optional: optional, returns: r)
        }
        for n in mathNames { add(n, [.vector], .vector) }
        for n in overTimeNames { add(n, [.matrix], .vector) }
        for n in rangeNames { add(n, [.matrix], .vector) }
        for n in dateNames { add(n, [.vector], .vector, optional: 1) }
        add("quantile_over_time", [.scalar, .matrix], .vector)
        add("absent", [.vector], .vector)
        add("absent_over_time", [.matrix], .vector)
        add("clamp", [.vector, .scalar, .scalar], .vector)
        add("clamp_max", [.vector, .scalar], .vector)
        add("clamp_min", [.vector, .scalar], .vector)
        add("histogram_quantile", [.scalar, .vector], .vector)
        add("histogram_quantiles", [.vector, .string, .scalar], .vector, optional: -1)
        add("histogram_fraction", [.scalar, .scalar, .vector], .vector)
        for n in ["histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar"] { add(n, [.vector], .vector) }
        add("holt_winters", [.matrix, .scalar, .scalar], .vector)
        add("double_exponential_smoothing", [.matrix, .scalar, .scalar], .vector)
        add("label_join", [.vector, .string, .string, .string], .vector, optional: -1)
        add("label_replace", [.vector, .string, .string, .string, .string], .vector)
        add("pi", [], .scalar)
        // The query's own context (Prometheus 3 duration-expression functions).
        for n in ["step", "range", "start", "end"] { add(n, [], .scalar) }
        add("min_of", [.scalar, .scalar], .scalar)
        add("max_of", [.scalar, .scalar], .scalar)
        add("predict_linear", [.matrix, .scalar], .vector)
        add("round", [.vector, .scalar], .vector, optional: 1)
        add("scalar", [.vector], .scalar)
        add("vector", [.scalar], .vector)
        add("time", [], .scalar)
        add("timestamp", [.vector], .vector)
        add("sort", [.vector], .vector)
        add("sort_desc", [.vector], .vector)
        add("sort_by_label", [.vector, .string], .vector, optional: -1)
        add("sort_by_label_desc", [.vector, .string], .vector, optional: -1)
        return f
    }()
}
