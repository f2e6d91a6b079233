import MetricModel
import TSDB

/// A parsed query whose series are selected but not yet read.
///
/// Selecting is cheap (postings and chunk headers); decoding and evaluating is the work. Between
/// the two, ``estimatedCost`` says roughly how much work is ahead, so a server can choose where
/// to run it before starting: a small query right where the request is, a large one where it
/// cannot hold up other requests. ``run()`` may be called on any thread; the selection is a
/// consistent snapshot, and the query's deadline counts from when it was prepared.
public struct PreparedQuery: Sendable {
    enum Span: Sendable {
        case instant(Int64)
        case range(start: Int64, end: Int64, step: Int64)
    }

    let expr: Expr
    let span: Span
    let options: QueryOptions
    let querier: any Querier
    let plan: SelectionPlan
    let deadline: ContinuousClock.Instant
    /// A rough measure of the work ahead, in units of one decoded sample (see
    /// `PreparedQuery+Cost.swift`); about 50,000 take a millisecond.
    public let estimatedCost: Int

    init(expr: Expr, span: Span, options: QueryOptions, querier: any Querier) {
        let deadline = ContinuousClock.now + options.timeout
        let ev = Self.evaluator(span, options, querier, SelectionPlan(), deadline)
        let (start, end) = span.bounds
        ev.prepare(expr, start: start, end: end)
        var plan = ev.plan
        plan.selectAll(from: querier)
        self.expr = expr
        self.span = span
        self.options = options
        self.querier = querier
        self.plan = plan
        self.deadline = deadline
        self.estimatedCost = Self.cost(expr, steps: span.steps, plan: plan, options: options)
    }

    private static func evaluator(_ span: Span, _ options: QueryOptions, _ querier: any Querier,
                                  _ plan: SelectionPlan, _ deadline: ContinuousClock.Instant) -> Evaluator {
        let (start, end) = span.bounds
        let step: Int64
        if case .range(_, _, let s) = span { step = s } else { step = 0 }
        return Evaluator(querier: querier, options: options, start: start, end: end, step: step, plan: plan, deadline: deadline)
    }

    /// Reads the selected series and evaluates the query.
    public func run() throws(QueryError) -> QueryResult {
        let ev = Self.evaluator(span, options, querier, plan, deadline)
        switch span {
        case .instant(let t):
            return try Self.evaluateInstant(expr, at: t, ev)
        case .range(let start, let end, let step):
            return try Self.evaluateRange(expr, start: start, end: end, step: step, ev)
        }
    }

    private static func evaluateInstant(_ expr: Expr, at t: Int64, _ ev: Evaluator) throws(QueryError) -> QueryResult {
        let value: Value
        switch try ev.eval(expr, at: t) {
        case .vector(let v): value = .vector(try Evaluator.finalize(v))
        case .matrix(let m): value = .matrix(try Evaluator.finalize(m))
        case let other: value = other
        }
        return QueryResult(value: value, warnings: ev.warnings, infos: ev.infos)
    }

    private static func evaluateRange(_ expr: Expr, start: Int64, end: Int64, step: Int64, _ ev: Evaluator) throws(QueryError) -> QueryResult {
        if let matrix = try ev.seriesMajorMatrix(expr, start: start, end: end, step: step) {
            return QueryResult(value: .matrix(matrix), warnings: ev.warnings, infos: ev.infos)
        }
        var output = LabelsTable<MatrixSeries>(capacity: 64)
        let reserve = Int(min(256, (end - start) / step + 1))
        func newSeries(_ labels: Labels) -> MatrixSeries {
            var series = MatrixSeries(labels: labels, samples: [])
            series.samples.reserveCapacity(reserve)
            return series
        }
        // Name removal is cached: a series meets it at every step.
        var withoutName = LabelsTable<Labels>()
        try ev.precomputeSeriesMajor(expr, start: start, end: end, step: step)
        var t = start
        while t <= end {
            try ev.checkDeadline()
            switch try ev.eval(expr, at: t) {
            case .scalar(_, let v):
                output.insert(.empty) { newSeries(.empty) }
                output.values[0].samples.append(Sample(t: t, v: v))
            case .vector(let vec):
                for el in vec {
                    var labels = el.labels
                    if el.dropName {
                        let i = withoutName.insert(labels) { labels.removing(LabelName.metricName) }.index
                        labels = withoutName.values[i]
                    }
                    // One lookup per element: it also catches duplicates within the step.
                    let (i, inserted) = output.insert(labels) { newSeries(labels) }
                    if !inserted, output.values[i].samples.last?.t == t || output.values[i].histograms.last?.t == t {
                        throw QueryError(.execution, "vector cannot contain metrics with the same labelset")
                    }
                    if let h = el.histogram {
                        output.values[i].histograms.append(FloatHistogramSample(t: t, histogram: h))
                    } else {
                        output.values[i].samples.append(Sample(t: t, v: el.v))
                    }
                }
            default:
                throw QueryError(.execution, "range query over a value that is not a vector or scalar")
            }
            t += step
        }
        var out = output.values
        out.sort { $0.labels < $1.labels }
        return QueryResult(value: .matrix(out), warnings: ev.warnings, infos: ev.infos)
    }
}

extension PreparedQuery.Span {
    /// The first and last instant the query is evaluated at.
    var bounds: (start: Int64, end: Int64) {
        switch self {
        case .instant(let t): return (t, t)
        case .range(let start, let end, _): return (start, end)
        }
    }

    /// How many instants the query is evaluated at.
    var steps: Int {
        switch self {
        case .instant: return 1
        case .range(let start, let end, let step): return Int((end - start) / step) + 1
        }
    }
}
