import MetricModel
import TSDB

/// Limits and defaults of query evaluation (Prometheus' `--query.*` flags).
public struct QueryOptions: Sendable {
    public var lookbackDelta: Int64 = 300_000
    public var maxSamples = 50_000_000
    /// The step of subqueries written without one (`x[1h:]`).
    public var defaultSubqueryStep: Int64 = 60_000
    public var timeout: Duration = .seconds(120)
    /// Whether range queries of the common shapes are evaluated series by series (see
    /// `Evaluator+SeriesMajor.swift`); off only in tests that compare both evaluations.
    var seriesMajorRanges = true

    public init() {}
}

/// A selector's series, decoded once per query: timestamps and values side by side. A class, so
/// the per-step loops of range queries hold one reference per series rather than three.
final class LoadedSeries {
    let labels: Labels
    let ts: SampleColumn<Int64>
    let vs: SampleColumn<Double>
    /// The series' native histogram samples in the window, in time order (most series have none).
    let histograms: [FloatHistogramSample]
    /// Whether any float sample is a staleness marker (range windows must then skip them).
    let hasStaleMarkers: Bool
    /// Whether the name ends as counters' names do (rate() and increase() inform otherwise).
    private(set) lazy var counterLikeName: Bool = Self.isCounterLike(labels.metricName)
    /// Whether no value is below the one before it: counters without resets, whose windows
    /// rate() and increase() need not scan for resets.
    private(set) lazy var neverDecreases: Bool = {
        for i in vs.indices.dropFirst() where vs[i] < vs[i - 1] { return false }
        return true
    }()

    init(labels: Labels, ts: SampleColumn<Int64>, vs: SampleColumn<Double>, histograms: [FloatHistogramSample] = []) {
        self.labels = labels
        self.ts = ts
        self.vs = vs
        self.histograms = histograms
        self.hasStaleMarkers = vs.contains { StaleNaN.isStale($0) }
    }

    /// Counter-like names end in `_total`, `_sum`, `_count` or `_bucket`; a missing name is not judged.
    static func isCounterLike(_ name: String) -> Bool {
        name.isEmpty || name.hasSuffix("_total") || name.hasSuffix("_sum") || name.hasSuffix("_count") || name.hasSuffix("_bucket")
    }

    /// Index of the sample an instant selector sees at `ref`: the newest within the lookback
    /// window, unless it is a staleness marker.
    func visibleIndex(at ref: Int64, lookback: Int64) -> Int? {
        let i = lastIndex(atOrBefore: ref)
        return isVisible(i, at: ref, lookback: lookback) ? i : nil
    }

    /// Whether sample `i` (the last at or before `ref`, or -1) is within the lookback window and not stale.
    func isVisible(_ i: Int, at ref: Int64, lookback: Int64) -> Bool {
        i >= 0 && ts[i] > ref - lookback && !StaleNaN.isStale(vs[i])
    }

    /// Like ``lastIndex(atOrBefore:)``, starting from `hint`, an answer for an earlier time: range
    /// queries ask for ever later times, so this is a few steps forward rather than a search.
    func lastIndex(atOrBefore t: Int64, hint: Int) -> Int {
        guard hint >= -1, hint < ts.count, hint == -1 || ts[hint] <= t else { return lastIndex(atOrBefore: t) }
        var i = hint
        var steps = 0
        while i + 1 < ts.count, ts[i + 1] <= t {
            i += 1
            steps += 1
            if steps == 8 { return lastIndex(atOrBefore: t) }
        }
        return i
    }

    /// Index of the last sample with timestamp <= t, or -1.
    func lastIndex(atOrBefore t: Int64) -> Int {
        var lo = 0, hi = ts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ts[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }
}

/// Evaluates an expression over a querier for one query (instant or range).
final class Evaluator {
    let querier: any Querier
    let options: QueryOptions
    /// The query's own start and end, for `@ start()` and `@ end()`.
    let queryStart: Int64
    let queryEnd: Int64
    /// The range query's step (0 for instant queries), for `step()`.
    let queryStep: Int64
    private var loaded: [String: [LoadedSeries]] = [:]
    /// What each selector reads: windows recorded by `prepare`, series selected ahead by
    /// ``PreparedQuery`` and taken out as `series(for:)` reads them.
    private(set) var plan: SelectionPlan
    /// Per call site, the last window edges found in each series (hints for the next step).
    var cursors: [String: [Int]] = [:]
    /// Subexpressions evaluated series by series ahead of a range query (see `Evaluator+SeriesMajor.swift`).
    var precomputed: [PrecomputedExpr] = []
    private let deadline: ContinuousClock.Instant
    var samplesInMemory = 0
    /// Aggregation group keys by grouping clause, then by input labels.
    var groupKeyCache: [String: LabelsTable<Labels>] = [:]
    /// histogram_quantile's view of each bucket series: its group key and its `le` bound.
    var bucketKeys = LabelsTable<(key: Labels, bound: Double?)>()
    /// Annotations raised during evaluation, each once, in order.
    private(set) var warnings: [String] = []
    private(set) var infos: [String] = []

    func warn(_ message: String, at position: SourcePosition? = nil) {
        let full = "PromQL warning: " + message + (position.map { " (\($0))" } ?? "")
        if !warnings.contains(full) { warnings.append(full) }
    }

    func info(_ message: String, at position: SourcePosition? = nil) {
        let full = "PromQL info: " + message + (position.map { " (\($0))" } ?? "")
        if !infos.contains(full) { infos.append(full) }
    }

    /// `plan` carries what ``PreparedQuery`` recorded and selected (empty while it prepares);
    /// the query fails with a timeout after `deadline`.
    init(querier: any Querier, options: QueryOptions, start: Int64, end: Int64, step: Int64,
         plan: SelectionPlan, deadline: ContinuousClock.Instant) {
        self.querier = querier
        self.options = options
        self.queryStart = start
        self.queryEnd = end
        self.queryStep = step
        self.plan = plan
        self.deadline = deadline
    }

    // MARK: Preparation: one select per selector over the whole window the query needs.

    static func key(_ s: VectorSelector) -> String { s.matchers.map(\.description).joined(separator: ",") }

    func resolve(_ at: AtModifier?, _ t: Int64) -> Int64 {
        switch at {
        case nil: return t
        case .timestamp(let ts): return ts
        case .start: return queryStart
        case .end: return queryEnd
        }
    }

    /// Records the time windows each selector needs when `e` is evaluated over [start, end].
    func prepare(_ e: Expr, start: Int64, end: Int64) {
        func need(_ s: VectorSelector, _ mint: Int64, _ maxt: Int64, latest: Bool) {
            plan.need(Self.key(s), s.matchers, mint: mint, maxt: maxt, latestOnly: latest)
        }
        switch e {
        case .vector(let s):
            let a = s.at == nil ? start : resolve(s.at, start)
            let b = s.at == nil ? end : resolve(s.at, end)
            need(s, a - s.offset - options.lookbackDelta, b - s.offset, latest: a == b)
        case .matrix(let s, let range):
            let a = s.at == nil ? start : resolve(s.at, start)
            let b = s.at == nil ? end : resolve(s.at, end)
            need(s, a - s.offset - range, b - s.offset, latest: false)
        case .subquery(let inner, let range, _, let offset, let at):
            let a = at == nil ? start : resolve(at, start)
            let b = at == nil ? end : resolve(at, end)
            prepare(inner, start: a - offset - range, end: b - offset)
        case .call(_, let args, _):
            for arg in args { prepare(arg, start: start, end: end) }
        case .aggregate(_, let inner, let param, _, _, _):
            prepare(inner, start: start, end: end)
            if let param { prepare(param, start: start, end: end) }
        case .binary(_, let l, let r, _, _):
            prepare(l, start: start, end: end)
            prepare(r, start: start, end: end)
        case .negate(let inner), .paren(let inner):
            prepare(inner, start: start, end: end)
        case .number, .string:
            break
        }
    }

    func series(for s: VectorSelector) throws(QueryError) -> [LoadedSeries] {
        let k = Self.key(s)
        if let cached = loaded[k] { return cached }
        let selection = plan.selections[k] ?? SelectionPlan.Selection(matchers: s.matchers, mint: .min, maxt: .max, latestOnly: false)
        let (mint, maxt, latest) = (selection.mint, selection.maxt, selection.latestOnly)
        let selected = plan.series[k] ?? querier.select(s.matchers, mint: mint, maxt: maxt, sorted: false)
        // Every series' samples back to back in one pair of arrays; each series gets its part.
        var times: [Int64] = [], values: [Double] = []
        var parts: [(start: Int, count: Int)] = []
        parts.reserveCapacity(selected.count)
        var histograms: [Int: [FloatHistogramSample]] = [:]
        for (n, data) in selected.enumerated() {
            if n & 255 == 255 { try checkDeadline() }
            let start = times.count
            if latest {
                if let sample = data.latestSample(mint: mint, maxt: maxt) {
                    times.append(sample.t)
                    values.append(sample.v)
                }
            } else {
                data.appendSamples(mint: mint, maxt: maxt, times: &times, values: &values)
            }
            samplesInMemory += times.count - start
            if data.hasHistograms {
                var samples = data.histogramSamplesAsFloat(mint: mint, maxt: maxt)
                if latest, let newest = samples.last { samples = [newest] }
                // A histogram weighs as much as about two buckets per sample slot (as Prometheus
                // weighs them by size), so a few huge histograms cannot slip past the limit.
                for sample in samples {
                    samplesInMemory += 1 + (sample.histogram.positiveBuckets.count + sample.histogram.negativeBuckets.count) / 2
                }
                histograms[n] = samples
            }
            if samplesInMemory > options.maxSamples {
                throw Self.tooManySamples
            }
            parts.append((start, times.count - start))
        }
        var out: [LoadedSeries] = []
        out.reserveCapacity(selected.count)
        for (n, (data, part)) in zip(selected, parts).enumerated() {
            out.append(LoadedSeries(labels: data.labels, ts: SampleColumn(times, offset: part.start, count: part.count),
                                    vs: SampleColumn(values, offset: part.start, count: part.count), histograms: histograms[n] ?? []))
        }
        plan.series[k] = nil
        loaded[k] = out
        return out
    }

    /// `--query.max-samples` exceeded, in Prometheus' words.
    static let tooManySamples = QueryError(.execution, "query processing would load too many samples into memory in query execution")

    func checkDeadline() throws(QueryError) {
        if ContinuousClock.now > deadline { throw QueryError(.timeout, "query timed out in expression evaluation") }
        if Task.isCancelled { throw QueryError(.canceled, "query was canceled in expression evaluation") }
    }

    // MARK: Evaluation at one timestamp

    func eval(_ e: Expr, at t: Int64) throws(QueryError) -> Value {
        switch e {
        case .number(let v):
            return .scalar(t: t, v: v)
        case .string(let s):
            return .string(t: t, s.value)
        case .paren(let inner):
            return try eval(inner, at: t)
        case .negate(let inner):
            switch try eval(inner, at: t) {
            case .scalar(let ts, let v): return .scalar(t: ts, v: -v)
            case .vector(let vec):
                return .vector(vec.map { el in
                    var x = el
                    if let h = el.histogram { x.histogram = h.scaled(by: -1) } else { x.v = -x.v }
                    x.dropName = true
                    return x
                })
            default: throw QueryError(.execution, "unary minus on a non-numeric value")
            }
        case .vector(let s):
            return .vector(try selectInstant(s, at: t))
        case .matrix(let s, let range):
            return .matrix(try selectRange(s, range: range, at: t))
        case .subquery(let inner, let range, let step, let offset, let at):
            return .matrix(try evalSubquery(inner, range: range, step: step ?? options.defaultSubqueryStep, offset: offset, at: at, t: t))
        case .call(let name, let args, let positions):
            if let v = precomputedVector(e, at: t) { return .vector(v) }
            return try callFunction(name, args, positions: positions, at: t)
        case .aggregate(let op, let inner, let param, let grouping, let without, let paramPosition):
            if let v = precomputedVector(e, at: t) { return .vector(v) }
            return try aggregate(op, inner, param: param, grouping: grouping, without: without, paramPosition: paramPosition, at: t)
        case .binary(let op, let l, let r, let matching, let returnBool):
            return try binary(op, l, r, matching: matching, returnBool: returnBool, at: t)
        }
    }

    /// The newest sample within the lookback window of each series, skipping stale ones.
    func selectInstant(_ s: VectorSelector, at t: Int64) throws(QueryError) -> [VectorElement] {
        let ref = resolve(s.at, t) - s.offset
        let loaded = try self.series(for: s)
        let cursorKey = Self.key(s)
        var hints = cursors.removeValue(forKey: cursorKey) ?? Array(repeating: -1, count: loaded.count)
        defer { cursors[cursorKey] = hints }
        var out: [VectorElement] = []
        out.reserveCapacity(loaded.count)
        for (k, series) in loaded.enumerated() {
            let i = series.lastIndex(atOrBefore: ref, hint: hints[k])
            hints[k] = i
            if !series.histograms.isEmpty {
                if let el = series.visibleElement(at: ref, floatIndex: i, lookback: options.lookbackDelta, t: t) { out.append(el) }
                continue
            }
            guard series.isVisible(i, at: ref, lookback: options.lookbackDelta) else { continue }
            out.append(VectorElement(labels: series.labels, t: t, v: series.vs[i]))
        }
        return out
    }

    /// Samples in the left-open, right-closed window (ref - range, ref], without staleness markers.
    func selectRange(_ s: VectorSelector, range: Int64, at t: Int64) throws(QueryError) -> [MatrixSeries] {
        let ref = resolve(s.at, t) - s.offset
        var out: [MatrixSeries] = []
        for series in try self.series(for: s) {
            let window = selectedWindow(series, rangeStart: ref - range, rangeEnd: ref)
            if !window.floats.isEmpty || !window.histograms.isEmpty {
                out.append(MatrixSeries(labels: series.labels, samples: window.floats, histograms: window.histograms))
            }
        }
        return out
    }

    /// Evaluates `inner` at every multiple of `step` in (ref - range, ref].
    func evalSubquery(_ inner: Expr, range: Int64, step: Int64, offset: Int64, at: AtModifier?, t: Int64) throws(QueryError) -> [MatrixSeries] {
        guard step > 0 else { throw QueryError(.execution, "zero or negative subquery step") }
        // Every step yields at least one point: refuse before evaluating what cannot fit.
        guard range / step <= Int64(options.maxSamples) else { throw Self.tooManySamples }
        let ref = resolve(at, t) - offset
        let mint = ref - range
        var first = mint - ((mint % step) + step) % step
        if first <= mint { first += step }
        var bySeries: [Labels: Int] = [:]
        var out: [MatrixSeries] = []
        var points = 0
        var ts = first
        while ts <= ref {
            try checkDeadline()
            switch try eval(inner, at: ts) {
            case .vector(let vec):
                points += vec.count
                if points > options.maxSamples { throw Self.tooManySamples }
                for el in vec {
                    let idx: Int
                    if let known = bySeries[el.labels] {
                        idx = known
                    } else {
                        idx = out.count
                        bySeries[el.labels] = idx
                        var series = MatrixSeries(labels: el.labels, samples: [])
                        series.dropName = el.dropName
                        out.append(series)
                    }
                    if let h = el.histogram {
                        out[idx].histograms.append(FloatHistogramSample(t: ts, histogram: h))
                    } else {
                        out[idx].samples.append(Sample(t: ts, v: el.v))
                    }
                }
            case .scalar(_, let v):
                if out.isEmpty { out.append(MatrixSeries(labels: .empty, samples: [])) }
                out[0].samples.append(Sample(t: ts, v: v))
            default:
                throw QueryError(.execution, "subquery over a value that is not an instant vector")
            }
            ts += step
        }
        return out
    }

    // MARK: Helpers shared by functions, aggregations and operators

    func vector(_ e: Expr, at t: Int64) throws(QueryError) -> [VectorElement] {
        guard case .vector(let v) = try eval(e, at: t) else { throw QueryError(.execution, "expected an instant vector") }
        return v
    }

    func matrix(_ e: Expr, at t: Int64) throws(QueryError) -> [MatrixSeries] {
        guard case .matrix(let m) = try eval(e, at: t) else { throw QueryError(.execution, "expected a range vector") }
        return m
    }

    func scalar(_ e: Expr, at t: Int64) throws(QueryError) -> Double {
        guard case .scalar(_, let v) = try eval(e, at: t) else { throw QueryError(.execution, "expected a scalar") }
        return v
    }

    func string(_ e: Expr, at t: Int64) throws(QueryError) -> String {
        guard case .string(_, let s) = try eval(e, at: t) else { throw QueryError(.execution, "expected a string") }
        return s
    }

    /// A string argument meant as a label name, as a literal so that bytes that are not valid
    /// UTF-8 (which no label name can hold) survive to the check and the error message.
    func labelNameArgument(_ e: Expr, at t: Int64) throws(QueryError) -> StringLiteral {
        if case .string(let literal) = e.withoutParentheses { return literal }
        return StringLiteral(try string(e, at: t))
    }

    /// Removes names marked for dropping and refuses duplicate label sets, as at the end of evaluation.
    static func finalize<Element: NamedSeries>(_ items: [Element]) throws(QueryError) -> [Element] {
        var out = items
        var seen = Set<Labels>()
        for i in out.indices {
            if out[i].dropName {
                out[i].labels = out[i].labels.removing(LabelName.metricName)
                out[i].dropName = false
            }
            if !seen.insert(out[i].labels).inserted {
                throw QueryError(.execution, "vector cannot contain metrics with the same labelset")
            }
        }
        return out
    }
}

/// Vector elements and matrix series alike: labels, and the delayed name-removal mark.
protocol NamedSeries {
    var labels: Labels { get set }
    var dropName: Bool { get set }
}

extension VectorElement: NamedSeries {}
extension MatrixSeries: NamedSeries {}
