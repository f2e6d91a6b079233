import MetricModel
import TSDB

/// Range queries of the shapes dashboards are made of — `rate(m[5m])` and `sum by (x) (rate(m[5m]))`
/// — evaluated series by series across all steps instead of step by step: each series' windows
/// slide forward with two cursors, group keys are computed once per series, and no per-step
/// vectors are built. The arithmetic, its order and the annotations are those of the step-wise
/// evaluation, so results are identical; other shapes return nil and are evaluated step-wise.
extension Evaluator {
    /// Steps × groups beyond which the per-step accumulators would cost more memory than they save.
    static let seriesMajorCellLimit = 4_000_000

    /// Finds the largest subexpressions of `e` with a series-major shape and evaluates each once
    /// for every step of the range query; ``precomputedVector(_:at:)`` then serves them.
    func precomputeSeriesMajor(_ e: Expr, start: Int64, end: Int64, step: Int64) throws(QueryError) {
        if let byStep = try seriesMajorVectors(e, start: start, end: end, step: step) {
            precomputed.append(PrecomputedExpr(expr: e, start: start, end: end, step: step, byStep: byStep))
            return
        }
        switch e {
        case .call(_, let args, _):
            for arg in args { try precomputeSeriesMajor(arg, start: start, end: end, step: step) }
        case .aggregate(_, let inner, _, _, _, _):
            try precomputeSeriesMajor(inner, start: start, end: end, step: step)
        case .binary(_, let l, let r, _, _):
            try precomputeSeriesMajor(l, start: start, end: end, step: step)
            try precomputeSeriesMajor(r, start: start, end: end, step: step)
        case .negate(let inner), .paren(let inner):
            try precomputeSeriesMajor(inner, start: start, end: end, step: step)
        case .number, .string, .vector, .matrix, .subquery:
            // Subqueries evaluate at their own times; the query's grid would rarely serve them.
            break
        }
    }

    /// The precomputed value of `e` at `t`, when `e` was precomputed and `t` is a step of the query.
    /// An expression's value at a time does not depend on where it is evaluated from.
    func precomputedVector(_ e: Expr, at t: Int64) -> [VectorElement]? {
        for p in precomputed where t >= p.start && t <= p.end && (t - p.start) % p.step == 0 && p.expr == e {
            return p.byStep[Int((t - p.start) / p.step)]
        }
        return nil
    }

    /// The whole result of a range query whose expression is one range function over a selector
    /// (`rate(m[5m])`): each series' values at every step go straight into its output series,
    /// with no per-step vectors to reassemble. Nil for other shapes, and when dropping the
    /// metric name makes two series' labels equal (the step-wise evaluation reports that error
    /// at the step where it happens).
    func seriesMajorMatrix(_ e: Expr, start: Int64, end: Int64, step: Int64) throws(QueryError) -> [MatrixSeries]? {
        guard options.seriesMajorRanges, end >= start, step > 0,
              case .call(let name, let args, let positions) = e.withoutParentheses,
              let call = SeriesMajorCall(name: name, args: args, positions: positions) else { return nil }
        let loaded = try series(for: call.selector)
        // Native histograms take the step-wise path (their range functions warn and annotate).
        guard !loaded.contains(where: { !$0.histograms.isEmpty }) else { return nil }
        var out = loaded.map { MatrixSeries(labels: call.keepsName ? $0.labels : $0.labels.removing(LabelName.metricName), samples: []) }
        if !call.keepsName, Set(out.map(\.labels)).count < out.count { return nil }
        let reserve = Int(min(1024, (end - start) / step + 1))
        try sweep(call, start: start, end: end, step: step) { n, _, t, v in
            if out[n].samples.isEmpty { out[n].samples.reserveCapacity(reserve) }
            out[n].samples.append(Sample(t: t, v: v))
        }
        out.removeAll { $0.samples.isEmpty }
        // Range results are in label order (series are read unsorted).
        out.sort { $0.labels < $1.labels }
        return out
    }

    /// The vectors `e` evaluates to at each step, element order included, or nil for other shapes.
    func seriesMajorVectors(_ e: Expr, start: Int64, end: Int64, step: Int64) throws(QueryError) -> [[VectorElement]]? {
        guard options.seriesMajorRanges, end >= start, step > 0 else { return nil }
        var expr = e
        while case .paren(let inner) = expr { expr = inner }
        let steps = Int((end - start) / step) + 1
        switch expr {
        case .call(let name, let args, let positions):
            guard let call = SeriesMajorCall(name: name, args: args, positions: positions) else { return nil }
            let loaded = try series(for: call.selector)
            guard !loaded.contains(where: { !$0.histograms.isEmpty }) else { return nil }
            var byStep = [[VectorElement]](repeating: [], count: steps)
            try sweep(call, start: start, end: end, step: step) { n, k, t, v in
                var el = VectorElement(labels: loaded[n].labels, t: t, v: v)
                el.dropName = !call.keepsName
                byStep[k].append(el)
            }
            return byStep

        case .aggregate(let op, let inner, nil, let grouping, let without, _):
            guard [.sum, .avg, .count, .group, .min, .max].contains(op), without || !grouping.contains(LabelName.metricName) else { return nil }
            var bare = inner
            while case .paren(let x) = bare { bare = x }
            guard case .call(let name, let args, let positions) = bare,
                  let call = SeriesMajorCall(name: name, args: args, positions: positions) else { return nil }
            let loaded = try series(for: call.selector)
            guard !loaded.contains(where: { !$0.histograms.isEmpty }) else { return nil }
            let dropped = grouping + [LabelName.metricName]
            var groups = LabelsTable<Int>()
            var groupOf: [Int] = []
            groupOf.reserveCapacity(loaded.count)
            for s in loaded {
                groupOf.append(groups.insert(without ? s.labels.removing(dropped) : s.labels.keeping(grouping)) { 0 }.index)
            }
            guard groups.count * steps <= Self.seriesMajorCellLimit else { return nil }
            // Cells are step-major: one step's groups side by side.
            let width = groups.count
            var counts = [Int](repeating: 0, count: width * steps)
            // The first series to reach a cell orders the step's groups, as first appearance does step-wise.
            var firstSeries = [Int](repeating: 0, count: counts.count)
            var sums = op == .sum ? [KahanSum](repeating: KahanSum(), count: counts.count) : []
            var means = op == .avg ? [MeanAccumulator](repeating: MeanAccumulator(), count: counts.count) : []
            var extremes = op == .min || op == .max ? [Double](repeating: .nan, count: counts.count) : []
            try sweep(call, start: start, end: end, step: step) { n, k, _, v in
                let cell = k * width + groupOf[n]
                counts[cell] += 1
                if counts[cell] == 1 { firstSeries[cell] = n }
                switch op {
                case .sum: sums[cell].add(v)
                case .avg: means[cell].add(v)
                case .min:
                    let m = extremes[cell]
                    if counts[cell] == 1 || v < m || m.isNaN { extremes[cell] = v }
                case .max:
                    let m = extremes[cell]
                    if counts[cell] == 1 || v > m || m.isNaN { extremes[cell] = v }
                default: break
                }
            }
            var byStep = [[VectorElement]](repeating: [], count: steps)
            for k in 0..<steps {
                let t = start + Int64(k) * step
                var present = (0..<width).filter { counts[k * width + $0] > 0 }
                present.sort { firstSeries[k * width + $0] < firstSeries[k * width + $1] }
                byStep[k].reserveCapacity(present.count)
                for g in present {
                    let cell = k * width + g
                    let v: Double
                    switch op {
                    case .sum: v = sums[cell].value
                    case .avg: v = means[cell].value
                    case .count: v = Double(counts[cell])
                    case .min, .max: v = extremes[cell]
                    default: v = 1
                    }
                    byStep[k].append(VectorElement(labels: groups.keys[g], t: t, v: v))
                }
            }
            return byStep

        default:
            return nil
        }
    }

    /// Calls `emit(seriesIndex, stepIndex, t, value)` for every series (in selector order) and
    /// every step at which the range function has a value.
    private func sweep(_ call: SeriesMajorCall, start: Int64, end: Int64, step: Int64,
                       _ emit: (Int, Int, Int64, Double) -> Void) throws(QueryError) {
        let selector = call.selector
        let loaded = try series(for: selector)
        for (n, series) in loaded.enumerated() {
            if n % 256 == 0 { try checkDeadline() }
            var hi = -1, before = -1
            var informed = false
            // One scan of the series spares rate() and increase() a scan of every window.
            let neverDecreases = call.counterCheck && !series.hasStaleMarkers && series.neverDecreases
            var t = start
            var k = 0
            while t <= end {
                let ref = resolve(selector.at, t) - selector.offset
                hi = series.lastIndex(atOrBefore: ref, hint: hi)
                before = series.lastIndex(atOrBefore: ref - call.range, hint: before)
                if hi > before {
                    if call.counterCheck && !series.counterLikeName && !informed {
                        info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"\(series.labels.metricName)\"", at: call.position)
                        informed = true
                    }
                    let value: Double?
                    if series.hasStaleMarkers {
                        var samples: [Sample] = []
                        for i in (before + 1)...hi where !StaleNaN.isStale(series.vs[i]) { samples.append(Sample(t: series.ts[i], v: series.vs[i])) }
                        value = RangeFunction.value(call.function, samples, rangeStart: ref - call.range, rangeEnd: ref, evalTime: t, params: [])
                    } else {
                        let (lo, count) = (before + 1, hi - before)
                        value = series.ts.withUnsafeBufferPointer { ts in
                            series.vs.withUnsafeBufferPointer { vs in
                                RangeFunction.value(call.function, SeriesWindow(ts: ts, vs: vs, lo: lo, sampleCount: count,
                                                                            knownNotToDecrease: neverDecreases),
                                                rangeStart: ref - call.range, rangeEnd: ref, evalTime: t, params: [])
                            }
                        }
                    }
                    if let value { emit(n, k, t, value) }
                }
                t += step
                k += 1
            }
        }
    }
}

/// A subexpression's vectors at every step of a range query, evaluated ahead.
struct PrecomputedExpr {
    let expr: Expr
    let start: Int64
    let end: Int64
    let step: Int64
    let byStep: [[VectorElement]]
}

/// A range function without scalar parameters applied directly to a range selector.
private struct SeriesMajorCall {
    let function: RangeFunction
    let selector: VectorSelector
    let range: Int64
    let position: SourcePosition?
    let keepsName: Bool
    let counterCheck: Bool

    init?(name: String, args: [Expr], positions: [SourcePosition]) {
        guard let function = RangeFunction(rawValue: name), args.count == 1 else { return nil }
        switch function {
        case .quantileOverTime, .predictLinear, .holtWinters, .doubleExponentialSmoothing: return nil
        default: break
        }
        var arg = args[0]
        while case .paren(let inner) = arg { arg = inner }
        guard case .matrix(let selector, let range) = arg else { return nil }
        self.function = function
        self.selector = selector
        self.range = range
        self.position = positions.first
        self.keepsName = Evaluator.keepsName.contains(name)
        self.counterCheck = function == .rate || function == .increase
    }
}
