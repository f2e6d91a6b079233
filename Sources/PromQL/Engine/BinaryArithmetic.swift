import Foundation
import MetricModel

/// Binary operators on plain values and vectors: arithmetic, comparisons, set operators and
/// vector matching, independent of how the operands were evaluated.
enum BinaryArithmetic {
    /// Applies an operator to two floats; for comparisons the bool says whether it holds.
    static func apply(_ op: BinaryOp, _ a: Double, _ b: Double) -> (Double, Bool) {
        switch op {
        case .add: return (a + b, true)
        case .sub: return (a - b, true)
        case .mul: return (a * b, true)
        case .div: return (a / b, true)
        case .mod: return (a.truncatingRemainder(dividingBy: b), true)
        case .pow: return (Foundation.pow(a, b), true)
        case .atan2: return (Foundation.atan2(a, b), true)
        case .eql: return (a, a == b)
        case .neq: return (a, a != b)
        case .gtr: return (a, a > b)
        case .lss: return (a, a < b)
        case .gte: return (a, a >= b)
        case .lte: return (a, a <= b)
        case .and, .or, .unless: return (a, true)
        }
    }

    /// `report` receives the annotation of an element the operator is not defined on.
    static func vectorScalar(_ op: BinaryOp, _ vec: [VectorElement], _ s: Double, swapped: Bool, returnBool: Bool,
                             report: (String) -> Void) -> [VectorElement] {
        var out: [VectorElement] = []
        out.reserveCapacity(vec.count)
        for el in vec {
            if let h = el.histogram {
                let element = Operand(v: 0, histogram: h), scalar = Operand(v: s)
                guard let x = histogramResult(op, swapped ? scalar : element, swapped ? element : scalar, returnBool: returnBool,
                                              like: el, report: report) else { continue }
                out.append(x)
                continue
            }
            var (value, keep) = swapped ? apply(op, s, el.v) : apply(op, el.v, s)
            // In `scalar < vector` the vector's value is kept, whichever side it is on.
            if op.isComparison && swapped { value = el.v }
            if returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            var x = el
            x.v = value
            if !op.isComparison || returnBool { x.dropName = true }
            out.append(x)
        }
        return out
    }

    /// The element `op` makes of two operands of which one is a histogram, labelled and
    /// name-marked as `like`; nil when filtered out or undefined (reported).
    private static func histogramResult(_ op: BinaryOp, _ a: Operand, _ b: Operand, returnBool: Bool, like el: VectorElement,
                                        report: (String) -> Void) -> VectorElement? {
        switch applyHistograms(op, a, b, returnBool: returnBool) {
        case .incompatibleTypes(let message):
            report(message)
            return nil
        case .incompatibleBuckets:
            report("vector contains a mix of histograms with exponential and custom buckets schemas")
            return nil
        case .value(let v, let h, let keep):
            guard keep else { return nil }
            var x = el
            if let h { x.histogram = h } else {
                x.histogram = nil
                x.v = v
            }
            if !op.isComparison || returnBool { x.dropName = true }
            return x
        }
    }

    /// The labels two series are matched on.
    static func signature(_ l: Labels, _ m: VectorMatching) -> Labels {
        if m.on { return l.keeping(m.labels) }
        return l.filter { $0.name != LabelName.metricName && !m.labels.contains($0.name) }
    }

    static func and(_ a: [VectorElement], _ b: [VectorElement], _ m: VectorMatching) -> [VectorElement] {
        let right = Set(b.map { signature($0.labels, m) })
        return a.filter { right.contains(signature($0.labels, m)) }
    }

    static func or(_ a: [VectorElement], _ b: [VectorElement], _ m: VectorMatching) -> [VectorElement] {
        let left = Set(a.map { signature($0.labels, m) })
        return a + b.filter { !left.contains(signature($0.labels, m)) }
    }

    static func unless(_ a: [VectorElement], _ b: [VectorElement], _ m: VectorMatching) -> [VectorElement] {
        let right = Set(b.map { signature($0.labels, m) })
        return a.filter { !right.contains(signature($0.labels, m)) }
    }

    static func vectorVector(_ op: BinaryOp, _ lhs: [VectorElement], _ rhs: [VectorElement], _ m: VectorMatching,
                             returnBool: Bool, at t: Int64, report: (String) -> Void) throws(QueryError) -> [VectorElement] {
        // For group_right the "one" side is on the left: swap so the many side is always `many`.
        let swapped = m.cardinality == .oneToMany
        let many = swapped ? rhs : lhs
        let one = swapped ? lhs : rhs
        var oneBySig: [Labels: VectorElement] = [:]
        for el in one {
            let sig = signature(el.labels, m)
            if let existing = oneBySig[sig] {
                let side = swapped ? "left" : "right"
                let pair = [existing.labels, el.labels].sorted()
                throw QueryError(.execution, "found duplicate series for the match group \(sig.fullDescription) on the \(side) hand-side of the operation: [\(pair[0].fullDescription), \(pair[1].fullDescription)];many-to-many matching not allowed: matching labels must be unique on one side")
            }
            oneBySig[sig] = el
        }
        var matchedOneToOne: [Labels: Labels] = [:]
        var out: [VectorElement] = []
        var seenOutput = Set<Labels>()
        for el in many {
            let sig = signature(el.labels, m)
            guard let other = oneBySig[sig] else { continue }
            if m.cardinality == .oneToOne {
                if matchedOneToOne[sig] != nil {
                    throw QueryError(.execution, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
                matchedOneToOne[sig] = el.labels
            }
            let (lv, rv) = swapped ? (other.v, el.v) : (el.v, other.v)
            var histogram: FloatHistogram?
            var (value, keep): (Double, Bool)
            if el.histogram != nil || other.histogram != nil {
                let (left, right) = swapped ? (other, el) : (el, other)
                switch applyHistograms(op, Operand(v: left.v, histogram: left.histogram), Operand(v: right.v, histogram: right.histogram),
                                       returnBool: returnBool) {
                case .incompatibleTypes(let message):
                    report(message)
                    continue
                case .incompatibleBuckets:
                    report("vector contains a mix of histograms with exponential and custom buckets schemas")
                    continue
                case .value(let v, let h, let holds):
                    (value, keep, histogram) = (v, holds, h)
                }
            } else {
                (value, keep) = apply(op, lv, rv)
                if returnBool {
                    value = keep ? 1 : 0
                    keep = true
                }
            }
            guard keep else { continue }
            var labels = resultLabels(el.labels, other.labels, op: op, m, returnBool: returnBool)
            let dropName = (!op.isComparison || returnBool)
            if dropName && m.cardinality != .oneToOne {
                labels = labels.removing(LabelName.metricName)
            }
            // Comparisons keep the left side's value; with group_right the left side is the "one" side.
            if op.isComparison && !returnBool && swapped {
                value = other.v
                histogram = other.histogram
            }
            var x = VectorElement(labels: labels, t: t, v: value)
            x.histogram = histogram
            x.dropName = dropName && m.cardinality == .oneToOne
            if m.cardinality != .oneToOne {
                if !seenOutput.insert(labels).inserted {
                    throw QueryError(.execution, "multiple matches for labels: grouping labels must ensure unique matches")
                }
            }
            out.append(x)
        }
        return out
    }

    static func resultLabels(_ many: Labels, _ one: Labels, op: BinaryOp, _ m: VectorMatching, returnBool: Bool) -> Labels {
        var b = LabelsBuilder(many)
        if m.cardinality == .oneToOne {
            if m.on {
                // Only the matching labels stay — the metric name too, unless listed — for
                // every operator, comparisons that filter included (as Prometheus does).
                let keep = Set(m.labels)
                b.removeAll { !keep.contains($0) }
            } else {
                for l in m.labels { b.remove(l) }
            }
        }
        for l in m.include {
            let v = one[l]
            if v.isEmpty { b.remove(l) } else { b[l] = v }
        }
        return b.labels()
    }
}
