import MetricModel
import TSDB

/// Runs PromQL queries against a ``Querier``.
public struct Engine: Sendable {
    public let options: QueryOptions

    public init(options: QueryOptions = QueryOptions()) { self.options = options }

    /// Evaluates `query` at one instant (milliseconds). ``prepareInstant(_:at:querier:)`` then
    /// ``PreparedQuery/run()`` give the annotations too.
    public func instantQuery(_ query: String, at t: Int64, querier: any Querier) throws(QueryError) -> Value {
        try prepareInstant(query, at: t, querier: querier).run().value
    }

    /// Evaluates a parsed query at one instant.
    public func instant(_ expr: Expr, at t: Int64, querier: any Querier) throws(QueryError) -> Value {
        try prepareInstant(expr, at: t, querier: querier).run().value
    }

    static func parse(_ query: String) throws(QueryError) -> Expr {
        do { return try Parser.parse(query) } catch { throw QueryError(.badData, error.description) }
    }

    /// Parses `query` and selects its series for evaluation at one instant, without reading them.
    public func prepareInstant(_ query: String, at t: Int64, querier: any Querier) throws(QueryError) -> PreparedQuery {
        prepareInstant(try Self.parse(query), at: t, querier: querier)
    }

    /// Selects the series of a parsed query for evaluation at one instant, without reading them.
    public func prepareInstant(_ expr: Expr, at t: Int64, querier: any Querier) -> PreparedQuery {
        PreparedQuery(expr: expr, span: .instant(t), options: options, querier: querier)
    }

    /// Evaluates `query` at every step from `start` to `end` (milliseconds); the result is a
    /// matrix. ``prepareRange(_:start:end:step:querier:)`` then ``PreparedQuery/run()`` give the
    /// annotations too.
    public func rangeQuery(_ query: String, start: Int64, end: Int64, step: Int64, querier: any Querier) throws(QueryError) -> Value {
        try prepareRange(query, start: start, end: end, step: step, querier: querier).run().value
    }

    /// Evaluates a parsed query over a range.
    public func range(_ expr: Expr, start: Int64, end: Int64, step: Int64, querier: any Querier) throws(QueryError) -> Value {
        try prepareRange(expr, start: start, end: end, step: step, querier: querier).run().value
    }

    /// Parses `query` and selects its series for evaluation over a range, without reading them.
    public func prepareRange(_ query: String, start: Int64, end: Int64, step: Int64, querier: any Querier) throws(QueryError) -> PreparedQuery {
        try prepareRange(try Self.parse(query), start: start, end: end, step: step, querier: querier)
    }

    /// Checks a parsed query and its range, and selects its series, without reading them.
    public func prepareRange(_ expr: Expr, start: Int64, end: Int64, step: Int64, querier: any Querier) throws(QueryError) -> PreparedQuery {
        guard step > 0 else { throw QueryError(.badData, "zero or negative query resolution step widths are not accepted. Try a positive integer") }
        guard end >= start else { throw QueryError(.badData, "end timestamp must not be before start time") }
        switch expr.type {
        case .vector, .scalar: break
        default:
            throw QueryError(.badData, "invalid expression type \"\(expr.type.rawValue)\" for range query, must be Scalar or instant Vector")
        }
        return PreparedQuery(expr: expr, span: .range(start: start, end: end, step: step), options: options, querier: querier)
    }
}
