import Foundation
import MetricModel

extension Evaluator {
    func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr, matching: VectorMatching?, returnBool: Bool, at t: Int64) throws(QueryError) -> Value {
        let lv = try eval(l, at: t)
        let rv = try eval(r, at: t)
        switch (lv, rv) {
        case let (.scalar(_, a), .scalar(_, b)):
            let (v, keep) = BinaryArithmetic.apply(op, a, b)
            return .scalar(t: t, v: op.isComparison ? (keep ? 1 : 0) : v)
        case let (.vector(vec), .scalar(_, s)):
            return .vector(BinaryArithmetic.vectorScalar(op, vec, s, swapped: false, returnBool: returnBool) { info($0) })
        case let (.scalar(_, s), .vector(vec)):
            return .vector(BinaryArithmetic.vectorScalar(op, vec, s, swapped: true, returnBool: returnBool) { info($0) })
        case let (.vector(a), .vector(b)):
            let m = matching ?? VectorMatching()
            switch op {
            case .and: return .vector(BinaryArithmetic.and(a, b, m))
            case .or: return .vector(BinaryArithmetic.or(a, b, m))
            case .unless: return .vector(BinaryArithmetic.unless(a, b, m))
            default: return .vector(try BinaryArithmetic.vectorVector(op, a, b, m, returnBool: returnBool, at: t) { info($0) })
            }
        default:
            throw QueryError(.execution, "binary operation on unsupported value types")
        }
    }
}
