import MetricModel
import TSDB

/// Runs PromQL queries against a ``Querier``.
public struct Engine: Sendable {
    public let options: QueryOptions

    public init(options: QueryOptions = QueryOptions()) { self.options = options }

    /// Evaluates `query` at one instant (milliseconds).
    public func instantQuery(_ query: String, at t: Int64, querier: any Querier) throws(QueryError) -> Value {
        try instantQueryResult(query, at: t, querier: querier).value
    }

    /// Parses and evaluates `query` at one instant, with annotations.
    public func instantQueryResult(_ query: String, at t: Int64, querier: any Querier) throws(QueryError) -> QueryResult {
        try instantResult(try Self.parse(query), at: t, querier: querier)
    }

    static func parse(_ query: String) throws(QueryError) -> Expr {
        do { return try Parser.parse(query) } catch { throw QueryError(.badData, error.description) }
    }

    public func instant(_ expr: Expr, at t: Int64, querier: any Querier) throws(QueryError) -> Value {
        try instantResult(expr, at: t, querier: querier).value
    }

    /// Like ``instant(_:at:querier:)`` with the annotations raised on the way.
    public func instantResult(_ expr: Expr, at t: Int64, querier: any Querier) throws(QueryError) -> QueryResult {
        let ev = Evaluator(querier: querier, options: options, start: t, end: t)
        ev.prepare(expr, start: t, end: t)
        let value: Value
        switch try ev.eval(expr, at: t) {
        case .vector(let v): value = .vector(try Evaluator.finalize(v))
        case .matrix(let m): value = .matrix(try Evaluator.finalize(m))
        case let other: value = other
        }
        return QueryResult(value: value, warnings: ev.warnings, infos: ev.infos)
    }

    /// Evaluates `query` at every step from `start` to `end` (milliseconds); the result is a matrix.
    public func rangeQuery(_ query: String, start: Int64, end: Int64, step: Int64, querier: any Querier) throws(QueryError) -> Value {
        try rangeQueryResult(query, start: start, end: end, step: step, querier: querier).value
    }

    /// Parses and evaluates `query` over a range, with annotations.
    public func rangeQueryResult(_ query: String, start: Int64, end: Int64, step: Int64, querier: any Querier) throws(QueryError) -> QueryResult {
        try rangeResult(try Self.parse(query), start: start, end: end, step: step, querier: querier)
    }

    public func range(_ expr: Expr, start: Int64, end: Int64, step: Int64, querier: any Querier) throws(QueryError) -> Value {
        try rangeResult(expr, start: start, end: end, step: step, querier: querier).value
    }

    /// Like ``range(_:start:end:step:querier:)`` with the annotations raised on the way.
    public func rangeResult(_ expr: Expr, start: Int64, end: Int64, step: Int64, querier: any Querier) throws(QueryError) -> QueryResult {
        guard step > 0 else { throw QueryError(.badData, "zero or negative query resolution step widths are not accepted. Try a positive integer") }
        guard end >= start else { throw QueryError(.badData, "end timestamp must not be before start time") }
        switch expr.type {
        case .vector, .scalar: break
        default:
            throw QueryError(.badData, "invalid expression type \"\(expr.type.rawValue)\" for range query, must be Scalar or instant Vector")
        }
        let ev = Evaluator(querier: querier, options: options, start: start, end: end, step: step)
        ev.prepare(expr, start: start, end: end)
        if let matrix = try ev.seriesMajorMatrix(expr, start: start, end: end, step: step) {
            return QueryResult(value: .matrix(matrix), warnings: ev.warnings, infos: ev.infos)
        }
        var output = LabelsTable<[Sample]>(capacity: 64)
        let reserve = Int(min(256, (end - start) / step + 1))
        // Name removal is cached: a series meets it at every step.
        var withoutName = LabelsTable<Labels>()
        try ev.precomputeSeriesMajor(expr, start: start, end: end, step: step)
        var t = start
        while t <= end {
            try ev.checkDeadline()
            switch try ev.eval(expr, at: t) {
            case .scalar(_, let v):
                output.insert(.empty) { var a: [Sample] = []; a.reserveCapacity(reserve); return a }
                output.values[0].append(Sample(t: t, v: v))
            case .vector(let vec):
                for el in vec {
                    var labels = el.labels
                    if el.dropName {
                        let i = withoutName.insert(labels) { labels.removing(LabelName.metricName) }.index
                        labels = withoutName.values[i]
                    }
                    // One lookup per element: it also catches duplicates within the step.
                    let (i, inserted) = output.insert(labels) { var a: [Sample] = []; a.reserveCapacity(reserve); return a }
                    if !inserted, output.values[i].last?.t == t {
                        throw QueryError(.execution, "vector cannot contain metrics with the same labelset")
                    }
                    output.values[i].append(Sample(t: t, v: el.v))
                }
            default:
                throw QueryError(.execution, "range query over a value that is not a vector or scalar")
            }
            t += step
        }
        var out = zip(output.keys, output.values).map { MatrixSeries(labels: $0, samples: $1) }
        out.sort { $0.labels < $1.labels }
        return QueryResult(value: .matrix(out), warnings: ev.warnings, infos: ev.infos)
    }
}
