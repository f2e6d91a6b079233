import MetricModel

extension Evaluator {
    func aggregate(_ op: AggregateOp, _ inner: Expr, param: Expr?, grouping: [String], without: Bool,
                   paramPosition: SourcePosition?, at t: Int64) throws(QueryError) -> Value {
        let input = try vector(inner, at: t)
        var k = 0.0
        var label = ""
        if let param {
            if op == .countValues {
                label = try string(param, at: t)
                guard !label.isEmpty else { throw QueryError(.execution, "invalid label name \"\(label)\"") }
            } else {
                k = try scalar(param, at: t)
                if k.isNaN {
                    switch op {
                    case .topk, .bottomk, .limitk: throw QueryError(.execution, "Parameter value is NaN")
                    case .limitRatio: throw QueryError(.execution, "Ratio value is NaN")
                    default: break
                    }
                }
            }
        }
        let groupSet = Set(grouping)
        // Group keys are cached per aggregation: range queries meet the same series at every step.
        let cacheKey = (without ? "without:" : "by:") + grouping.joined(separator: ",")
        var keys = groupKeyCache[cacheKey] ?? [:]
        groupKeyCache[cacheKey] = nil
        defer { groupKeyCache[cacheKey] = keys }
        func key(_ l: Labels) -> Labels {
            if let k = keys[l] { return k }
            let k = without ? l.removing(groupSet.union([LabelName.metricName])) : l.keeping(groupSet)
            keys[l] = k
            return k
        }
        var groups: [Labels: [VectorElement]] = [:]
        var order: [Labels] = []
        for el in input {
            var g = key(el.labels)
            if op == .countValues {
                var b = LabelsBuilder(g)
                b[label] = GoFloat.format(el.v)
                g = b.labels()
            }
            if groups[g] == nil { order.append(g) }
            groups[g, default: []].append(el)
        }
        var out: [VectorElement] = []
        for g in order {
            let members = groups[g] ?? []
            let values = members.map(\.v)
            let before = out.count
            defer {
                // Grouping by a name that is to be dropped keeps the mark, so it goes at the end.
                // If any member drops its name, the group does.
                if !without, groupSet.contains(LabelName.metricName), members.contains(where: \.dropName) {
                    for i in before..<out.count where out[i].labels.has(LabelName.metricName) { out[i].dropName = true }
                }
            }
            switch op {
            case .sum:
                var s = KahanSum()
                for v in values { s.add(v) }
                out.append(VectorElement(labels: g, t: t, v: s.value))
            case .avg: out.append(VectorElement(labels: g, t: t, v: Self.mean(values)))
            case .count, .countValues: out.append(VectorElement(labels: g, t: t, v: Double(values.count)))
            case .group: out.append(VectorElement(labels: g, t: t, v: 1))
            case .min:
                var m = values[0]
                for v in values where v < m || m.isNaN { m = v }
                out.append(VectorElement(labels: g, t: t, v: m))
            case .max:
                var m = values[0]
                for v in values where v > m || m.isNaN { m = v }
                out.append(VectorElement(labels: g, t: t, v: m))
            case .stddev: out.append(VectorElement(labels: g, t: t, v: Self.variance(values).squareRoot()))
            case .stdvar: out.append(VectorElement(labels: g, t: t, v: Self.variance(values)))
            case .quantile:
                if k.isNaN || k < 0 || k > 1 { warn("quantile value should be between 0 and 1, got \(GoFloat.format(k))", at: paramPosition) }
                out.append(VectorElement(labels: g, t: t, v: Self.quantile(k, values)))
            case .topk, .bottomk:
                guard k >= 1, !k.isNaN else { continue }
                let n = k > 9e18 ? Int.max : Int(k)
                let top = op == .topk
                let sorted = members.sorted { a, b in
                    if a.v.isNaN { return false }
                    if b.v.isNaN { return true }
                    return top ? a.v > b.v : a.v < b.v
                }
                out.append(contentsOf: sorted.prefix(n))
            case .limitk:
                guard k >= 1, !k.isNaN else { continue }
                out.append(contentsOf: members.prefix(k > 9e18 ? Int.max : Int(k)))
            case .limitRatio:
                guard k.isFinite else { continue }
                for m in members {
                    let r = Double(m.labels.stableHash) / Double(UInt64.max)
                    if (k >= 0 && r < k) || (k < 0 && r >= 1 + k) { out.append(m) }
                }
            }
        }
        return .vector(out)
    }
}

