import Foundation
import MetricModel
import TSDB

extension Evaluator {
    /// A range query's results are in label order whatever sorted them at each step: Prometheus 3
    /// says so with a warning, and so does Vigil.
    func warnIfSortingRangeQuery() {
        if queryStart != queryEnd { warn("sort is ineffective for range queries since results are always ordered by labels") }
    }

    /// Functions that keep the metric name of their input.
    static let keepsName: Set<String> = ["label_replace", "label_join", "sort", "sort_desc", "sort_by_label", "sort_by_label_desc",
                                         "last_over_time", "first_over_time"]

    func callFunction(_ name: String, _ args: [Expr], positions: [SourcePosition], at t: Int64) throws(QueryError) -> Value {
        let pos = { (i: Int) -> SourcePosition? in i < positions.count ? positions[i] : nil }
        switch name {
        case "time": return .scalar(t: t, v: Double(t) / 1000)
        case "pi": return .scalar(t: t, v: Double.pi)
        case "step": return .scalar(t: t, v: Double(queryStep) / 1000)
        case "range": return .scalar(t: t, v: Double(queryEnd - queryStart) / 1000)
        case "start": return .scalar(t: t, v: Double(queryStart) / 1000)
        case "end": return .scalar(t: t, v: Double(queryEnd) / 1000)
        case "min_of", "max_of":
            let a = try scalar(args[0], at: t), b = try scalar(args[1], at: t)
            if a.isNaN || b.isNaN { return .scalar(t: t, v: .nan) }
            return .scalar(t: t, v: name == "min_of" ? Swift.min(a, b) : Swift.max(a, b))
        case "scalar":
            // Histograms are not counted: one float beside them still makes the scalar.
            let floats = try vector(args[0], at: t).filter { $0.histogram == nil }
            return .scalar(t: t, v: floats.count == 1 ? floats[0].v : .nan)
        case "vector":
            return .vector([VectorElement(labels: .empty, t: t, v: try scalar(args[0], at: t))])
        default: break
        }
        if let f = MathFunction.byName[name] { return .vector(try mapVector(args[0], at: t) { f($0) }) }
        if FunctionTable.dateNames.contains(name) { return .vector(try dateFunction(name, args, at: t)) }
        if FunctionTable.rangeNames.contains(name) || FunctionTable.overTimeNames.contains(name) || name == "quantile_over_time"
            || name == "predict_linear" || name == "holt_winters" || name == "double_exponential_smoothing" || name == "absent_over_time" {
            return .vector(try rangeFunction(name, args, positions: positions, at: t))
        }
        switch name {
        // Bounds compare as Go's math.Min and math.Max do: a NaN on either side gives NaN.
        case "clamp":
            let lo = try scalar(args[1], at: t), hi = try scalar(args[2], at: t)
            if lo > hi { return .vector([]) }
            return .vector(try mapVector(args[0], at: t) { Self.goMax(lo, Self.goMin(hi, $0)) })
        case "clamp_max":
            let hi = try scalar(args[1], at: t)
            return .vector(try mapVector(args[0], at: t) { Self.goMin(hi, $0) })
        case "clamp_min":
            let lo = try scalar(args[1], at: t)
            return .vector(try mapVector(args[0], at: t) { Self.goMax(lo, $0) })
        case "round":
            let to = args.count > 1 ? try scalar(args[1], at: t) : 1
            let inverse = 1 / to
            return .vector(try mapVector(args[0], at: t) { (($0 * inverse) + 0.5).rounded(.down) / inverse })
        case "timestamp":
            return .vector(try timestamps(args[0], at: t))
        case "absent":
            return .vector(try absent(args[0], at: t))
        case "sort", "sort_desc":
            warnIfSortingRangeQuery()
            // Histograms have no order: they are left out.
            var v = try vector(args[0], at: t).filter { $0.histogram == nil }
            let desc = name == "sort_desc"
            v.sort { a, b in
                if a.v.isNaN { return false }
                if b.v.isNaN { return true }
                return desc ? a.v > b.v : a.v < b.v
            }
            return .vector(v)
        case "sort_by_label", "sort_by_label_desc":
            warnIfSortingRangeQuery()
            var v = try vector(args[0], at: t)
            var names: [String] = []
            for a in args.dropFirst() { names.append(try string(a, at: t)) }
            let desc = name == "sort_by_label_desc"
            v.sort { a, b in
                for n in names where a.labels[n] != b.labels[n] {
                    return desc ? naturalLess(b.labels[n], a.labels[n]) : naturalLess(a.labels[n], b.labels[n])
                }
                return desc ? b.labels < a.labels : a.labels < b.labels
            }
            return .vector(v)
        case "label_replace":
            return .vector(try labelReplace(args, at: t))
        case "label_join":
            return .vector(try labelJoin(args, at: t))
        case "histogram_quantile":
            return .vector(try histogramQuantile(try scalar(args[0], at: t), try vector(args[1], at: t),
                                                 quantilePosition: pos(0), vectorPosition: pos(1), at: t))
        case "histogram_quantiles":
            let input = try vector(args[0], at: t)
            let label = try string(args[1], at: t)
            var out: [VectorElement] = []
            for a in args.dropFirst(2) {
                let q = try scalar(a, at: t)
                for var el in try histogramQuantile(q, input, quantilePosition: pos(0), vectorPosition: pos(0), at: t) {
                    var b = LabelsBuilder(el.labels)
                    b[label] = q.isFinite && q == q.rounded() && abs(q) < 1e15 ? String(format: "%.1f", q) : GoFloat.format(q)
                    el.labels = b.labels()
                    out.append(el)
                }
            }
            return .vector(out)
        case "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar":
            return .vector(try histogramProperty(name, try vector(args[0], at: t)))
        case "histogram_fraction":
            return .vector(try histogramFraction(try scalar(args[0], at: t), try scalar(args[1], at: t), try vector(args[2], at: t),
                                                 vectorPosition: pos(2), at: t))
        default:
            throw QueryError(.execution, "function \"\(name)\" is not implemented")
        }
    }

    /// The smaller of two floats, NaN if either is.
    static func goMin(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }

    /// The larger of two floats, NaN if either is.
    static func goMax(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }

    /// `f` applied to each float element; histograms are left out (these functions are defined
    /// on floats only).
    func mapVector(_ e: Expr, at t: Int64, _ f: (Double) -> Double) throws(QueryError) -> [VectorElement] {
        try vector(e, at: t).compactMap { el in
            guard el.histogram == nil else { return nil }
            var x = el
            x.v = f(el.v)
            x.dropName = true
            return x
        }
    }

    private func timestamps(_ e: Expr, at t: Int64) throws(QueryError) -> [VectorElement] {
        // timestamp() reports the sample's own time, so selectors are read directly.
        if case .vector(let s) = e.withoutParentheses {
            let ref = resolve(s.at, t) - s.offset
            var out: [VectorElement] = []
            for series in try self.series(for: s) {
                let time: Int64
                if series.histograms.isEmpty {
                    guard let i = series.visibleIndex(at: ref, lookback: options.lookbackDelta) else { continue }
                    time = series.ts[i]
                } else {
                    guard let visible = series.visibleTime(at: ref, lookback: options.lookbackDelta) else { continue }
                    time = visible
                }
                var el = VectorElement(labels: series.labels, t: t, v: Double(time) / 1000)
                el.dropName = true
                out.append(el)
            }
            return out
        }
        return try vector(e, at: t).map { var x = $0; x.v = Double($0.t) / 1000; x.dropName = true; return x }
    }

    private func dateFunction(_ name: String, _ args: [Expr], at t: Int64) throws(QueryError) -> [VectorElement] {
        var input: [VectorElement]
        if args.isEmpty {
            input = [VectorElement(labels: .empty, t: t, v: Double(t) / 1000)]
        } else {
            input = try vector(args[0], at: t)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        input.removeAll { $0.histogram != nil }
        for i in input.indices {
            let v = input[i].v
            input[i].dropName = true
            guard v.isFinite, abs(v) < 1e15 else { input[i].v = .nan; continue }
            let date = Date(timeIntervalSince1970: v.rounded(.down))
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
            switch name {
            case "day_of_month": input[i].v = Double(c.day ?? 0)
            case "day_of_week": input[i].v = Double((c.weekday ?? 1) - 1)
            case "day_of_year": input[i].v = Double(calendar.ordinality(of: .day, in: .year, for: date) ?? 0)
            case "days_in_month": input[i].v = Double(calendar.range(of: .day, in: .month, for: date)?.count ?? 0)
            case "hour": input[i].v = Double(c.hour ?? 0)
            case "minute": input[i].v = Double(c.minute ?? 0)
            case "month": input[i].v = Double(c.month ?? 0)
            default: input[i].v = Double(c.year ?? 0)
            }
        }
        return input
    }

    private func absent(_ e: Expr, at t: Int64) throws(QueryError) -> [VectorElement] {
        guard try vector(e, at: t).isEmpty else { return [] }
        return [VectorElement(labels: Self.absentLabels(e), t: t, v: 1)]
    }

    /// Labels of `absent()`'s output: the equality matchers of a lone selector (not the name).
    static func absentLabels(_ e: Expr) -> Labels {
        var inner = e
        while case .paren(let x) = inner { inner = x }
        let matchers: [LabelMatcher]
        switch inner {
        case .vector(let s), .matrix(let s, _): matchers = s.matchers
        default: return .empty
        }
        // Equality matchers give labels, unless the name appears in more than one matcher.
        var uses: [String: Int] = [:]
        for m in matchers { uses[m.name, default: 0] += 1 }
        var pairs: [String: String] = [:]
        for m in matchers where m.name != LabelName.metricName && m.kind == .equal && uses[m.name] == 1 {
            pairs[m.name] = m.value
        }
        return Labels(pairs)
    }

    private func labelReplace(_ args: [Expr], at t: Int64) throws(QueryError) -> [VectorElement] {
        let dstName = try labelNameArgument(args[1], at: t), replacement = try string(args[2], at: t)
        let src = try string(args[3], at: t), pattern = try string(args[4], at: t)
        let regex: AnchoredRegex
        do { regex = try AnchoredRegex(pattern) } catch { throw QueryError(.execution, "invalid regular expression in label_replace(): \(pattern)") }
        guard dstName.isValidLabelName else {
            throw QueryError(.execution, "invalid destination label name in label_replace(): \(dstName.value)")
        }
        let dst = dstName.value
        var out = try vector(args[0], at: t)
        for i in out.indices {
            guard let groups = regex.groups(out[i].labels[src]) else { continue }
            let value = Regex2.expand(replacement, groups: groups)
            var b = LabelsBuilder(out[i].labels)
            b[dst] = value
            out[i].labels = b.labels()
            if dst == LabelName.metricName { out[i].dropName = false }
        }
        return out
    }

    private func labelJoin(_ args: [Expr], at t: Int64) throws(QueryError) -> [VectorElement] {
        let dstName = try labelNameArgument(args[1], at: t), sep = try string(args[2], at: t)
        var srcs: [String] = []
        for a in args.dropFirst(3) { srcs.append(try string(a, at: t)) }
        guard dstName.isValidLabelName else {
            throw QueryError(.execution, "invalid destination label name in label_join(): \(dstName.value)")
        }
        let dst = dstName.value
        var out = try vector(args[0], at: t)
        for i in out.indices {
            var b = LabelsBuilder(out[i].labels)
            b[dst] = srcs.map { out[i].labels[$0] }.joined(separator: sep)
            out[i].labels = b.labels()
            if dst == LabelName.metricName { out[i].dropName = false }
        }
        return out
    }
}

/// Compares strings with embedded numbers in numeric order ("a2" < "a10"), as sort_by_label does.
func naturalLess(_ a: String, _ b: String) -> Bool {
    var ia = a.unicodeScalars.makeIterator(), ib = b.unicodeScalars.makeIterator()
    var ca = ia.next(), cb = ib.next()
    while let x = ca, let y = cb {
        let xd = x.properties.numericType == .decimal, yd = y.properties.numericType == .decimal
        if xd && yd {
            var na = "", nb = ""
            while let d = ca, d.properties.numericType == .decimal { na.unicodeScalars.append(d); ca = ia.next() }
            while let d = cb, d.properties.numericType == .decimal { nb.unicodeScalars.append(d); cb = ib.next() }
            let va = na.drop { $0 == "0" }, vb = nb.drop { $0 == "0" }
            if va.count != vb.count { return va.count < vb.count }
            if va != vb { return va < vb }
            continue
        }
        if x != y { return x.value < y.value }
        ca = ia.next()
        cb = ib.next()
    }
    return ca == nil && cb != nil
}
