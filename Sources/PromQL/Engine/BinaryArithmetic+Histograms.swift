import MetricModel

/// Operators where one side or both are native histograms: histograms add to and subtract from
/// histograms, are multiplied by floats and divided by them, and compare equal or not to
/// histograms. Any other pairing has no result, and the query says so in an info annotation.
extension BinaryArithmetic {
    /// One operand: a float, or a histogram.
    struct Operand {
        var v: Double
        var histogram: FloatHistogram?
    }

    /// What an operator makes of two operands of which at least one is a histogram.
    enum HistogramOutcome {
        /// The result (a histogram, or for `bool` comparisons a float), or the filtered-out mark
        /// of a comparison that does not hold.
        case value(Double, FloatHistogram?, keep: Bool)
        /// The operator is not defined on these kinds of sample.
        case incompatibleTypes(String)
        /// A histogram with custom buckets and one with exponential buckets cannot be added or subtracted.
        case incompatibleBuckets
    }

    static func applyHistograms(_ op: BinaryOp, _ a: Operand, _ b: Operand, returnBool: Bool) -> HistogramOutcome {
        func kind(_ x: Operand) -> String { x.histogram == nil ? "float" : "histogram" }
        let incompatible = HistogramOutcome.incompatibleTypes(
            "incompatible sample types encountered for binary operator \"\(op.rawValue)\": \(kind(a)) \(op.rawValue) \(kind(b))")
        switch (a.histogram, b.histogram) {
        case let (x?, y?):
            switch op {
            case .add, .sub:
                guard let result = op == .add ? x.adding(y) : x.subtracting(y) else { return .incompatibleBuckets }
                return .value(0, result, keep: true)
            case .eql, .neq:
                let holds = x.sameObservations(as: y) == (op == .eql)
                return returnBool ? .value(holds ? 1 : 0, nil, keep: true) : .value(0, x, keep: holds)
            default:
                return incompatible
            }
        case let (x?, nil):
            switch op {
            case .mul: return .value(0, x.scaled(by: b.v), keep: true)
            case .div: return .value(0, x.scaled(by: 1 / b.v), keep: true)
            default: return incompatible
            }
        case let (nil, y?):
            guard op == .mul else { return incompatible }
            return .value(0, y.scaled(by: a.v), keep: true)
        case (nil, nil):
            let (v, keep) = apply(op, a.v, b.v)
            return .value(v, nil, keep: keep)
        }
    }
}

extension FloatHistogram {
    /// Whether both describe the same observations: count, sum, zero bucket and every populated
    /// bucket equal, however the buckets are laid out in spans (the counter reset hint aside).
    func sameObservations(as other: FloatHistogram) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        guard schema == other.schema, zeroThreshold == other.zeroThreshold, same(count, other.count), same(sum, other.sum),
              same(zeroCount, other.zeroCount), customValues == other.customValues else { return false }
        return populatedBuckets == other.populatedBuckets
    }
}
