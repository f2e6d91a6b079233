import MetricModel

/// One output group of an aggregation at one step: running accumulators for the operators that
/// need only those, the members' positions for the ones that look at every member.
private struct AggregationGroup {
    var count = 0
    var sum = KahanSum()
    var mean = MeanAccumulator()
    var extreme = Double.nan
    var anyDropsName = false
    var members: [Int] = []
    /// The sum of the members that are native histograms (`sum` and `avg`), and how many there are.
    var histogramSum: FloatHistogram?
    var histograms = 0
    /// Set when two members' histograms cannot be added (custom buckets beside exponential ones).
    var incompatibleHistograms = false
}

extension Evaluator {
    func aggregate(_ op: AggregateOp, _ inner: Expr, param: Expr?, grouping: [String], without: Bool,
                   paramPosition: SourcePosition?, at t: Int64) throws(QueryError) -> Value {
        let input = try vector(inner, at: t)
        var k = 0.0
        var label = ""
        if let param {
            if op == .countValues {
                let name = try labelNameArgument(param, at: t)
                guard name.isValidLabelName else { throw QueryError(.execution, "invalid label name \(name.quoted)") }
                label = name.value
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
        // Group keys are cached per aggregation: range queries and subqueries meet the same series
        // at every step. At the first step a `by` grouping looks each series' group up by
        // projection instead, building labels once per group rather than once per series (an
        // instant query has no second step to repay the cache).
        let cacheKey = (without ? "without:" : "by:") + grouping.joined(separator: ",")
        let firstStep = groupKeyCache[cacheKey] == nil
        var keys = groupKeyCache.removeValue(forKey: cacheKey) ?? LabelsTable<Labels>()
        defer { groupKeyCache[cacheKey] = keys }
        let projects = firstStep && !without && op != .countValues
        let dropped = grouping + [LabelName.metricName]

        let keepsMembers: Bool
        switch op {
        case .sum, .avg, .count, .countValues, .group, .min, .max: keepsMembers = false
        default: keepsMembers = true
        }
        var groups = LabelsTable<AggregationGroup>()
        for (position, el) in input.enumerated() {
            if el.histogram != nil, !op.aggregatesHistograms {
                info("ignored histogram in \(op.rawValue) aggregation", at: paramPosition)
                continue
            }
            let i: Int
            if projects {
                i = groups.insert(projectionOf: el.labels, keeping: grouping) { AggregationGroup() }.index
            } else {
                let keyIndex = keys.insert(el.labels) { without ? el.labels.removing(dropped) : el.labels.keeping(grouping) }.index
                var g = keys.values[keyIndex]
                if op == .countValues {
                    var b = LabelsBuilder(g)
                    b[label] = el.histogram?.description ?? GoFloat.format(el.v)
                    g = b.labels()
                }
                i = groups.insert(g) { AggregationGroup() }.index
            }
            let v = el.v
            groups.values[i].count += 1
            if el.dropName { groups.values[i].anyDropsName = true }
            if let h = el.histogram, op == .sum || op == .avg {
                groups.values[i].histograms += 1
                if let total = groups.values[i].histogramSum {
                    if total.hasOtherCustomBounds(than: h) { info("mismatched custom buckets were reconciled during aggregation", at: paramPosition) }
                    if let next = total.adding(h) { groups.values[i].histogramSum = next } else { groups.values[i].incompatibleHistograms = true }
                } else {
                    groups.values[i].histogramSum = h
                }
                continue
            }
            switch op {
            case .sum: groups.values[i].sum.add(v)
            case .avg: groups.values[i].mean.add(v)
            case .min:
                let m = groups.values[i].extreme
                if groups.values[i].count == 1 || v < m || m.isNaN { groups.values[i].extreme = v }
            case .max:
                let m = groups.values[i].extreme
                if groups.values[i].count == 1 || v > m || m.isNaN { groups.values[i].extreme = v }
            default: break
            }
            if keepsMembers { groups.values[i].members.append(position) }
        }

        let marksDroppedNames = !without && grouping.contains(LabelName.metricName)
        var out: [VectorElement] = []
        out.reserveCapacity(keepsMembers ? input.count : groups.count)
        for (g, group) in zip(groups.keys, groups.values) {
            let before = out.count
            if group.histograms > 0 {
                // `sum` and `avg` of native histograms; a group mixing floats in has no result.
                if group.histograms < group.count {
                    warn("encountered a mix of histograms and floats for aggregation", at: paramPosition)
                    continue
                }
                guard !group.incompatibleHistograms, var total = group.histogramSum else {
                    warn("vector contains a mix of histograms with exponential and custom buckets schemas", at: paramPosition)
                    continue
                }
                if op == .avg { total = total.scaled(by: 1 / Double(group.histograms)) }
                total.counterResetHint = .gauge
                out.append(VectorElement(labels: g, t: t, histogram: total))
                if marksDroppedNames, group.anyDropsName, out[before].labels.has(LabelName.metricName) { out[before].dropName = true }
                continue
            }
            switch op {
            case .sum: out.append(VectorElement(labels: g, t: t, v: group.sum.value))
            case .avg: out.append(VectorElement(labels: g, t: t, v: group.mean.value))
            case .count, .countValues: out.append(VectorElement(labels: g, t: t, v: Double(group.count)))
            case .group: out.append(VectorElement(labels: g, t: t, v: 1))
            case .min, .max: out.append(VectorElement(labels: g, t: t, v: group.extreme))
            case .stddev: out.append(VectorElement(labels: g, t: t, v: Statistics.variance(group.members.map { input[$0].v }).squareRoot()))
            case .stdvar: out.append(VectorElement(labels: g, t: t, v: Statistics.variance(group.members.map { input[$0].v })))
            case .quantile:
                if k.isNaN || k < 0 || k > 1 { warn("quantile value should be between 0 and 1, got \(GoFloat.format(k))", at: paramPosition) }
                out.append(VectorElement(labels: g, t: t, v: Statistics.quantile(k, group.members.map { input[$0].v })))
            case .topk, .bottomk:
                guard k >= 1, !k.isNaN else { continue }
                let n = k > 9e18 ? Int.max : Int(k)
                let top = op == .topk
                let sorted = group.members.map { input[$0] }.sorted { a, b in
                    if a.v.isNaN { return false }
                    if b.v.isNaN { return true }
                    return top ? a.v > b.v : a.v < b.v
                }
                out.append(contentsOf: sorted.prefix(n))
            case .limitk:
                guard k >= 1, !k.isNaN else { continue }
                out.append(contentsOf: group.members.prefix(k > 9e18 ? Int.max : Int(k)).map { input[$0] })
            case .limitRatio:
                guard k.isFinite else { continue }
                for m in group.members {
                    let r = Double(input[m].labels.stableHash) / Double(UInt64.max)
                    if (k >= 0 && r < k) || (k < 0 && r >= 1 + k) { out.append(input[m]) }
                }
            }
            // Grouping by a name that is to be dropped keeps the mark, so it goes at the end.
            // If any member drops its name, the group does.
            if marksDroppedNames, group.anyDropsName {
                for i in before..<out.count where out[i].labels.has(LabelName.metricName) { out[i].dropName = true }
            }
        }
        return .vector(out)
    }
}
