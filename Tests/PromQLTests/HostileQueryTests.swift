import MetricModel
import Testing
import TSDB
@testable import PromQL

/// Queries from the outside that used to trap (overflowing conversions and arithmetic,
/// unbounded recursion) or run until their timeout: each now gets a clear error at once.
@Suite struct HostileQueryTests {
    static let head = PreparedQueryTests.head(series: 3)

    static func run(_ query: String, at t: Int64 = 3_600_000) -> Result<Value, QueryError> {
        Result { () throws(QueryError) in try Engine().prepareInstant(query, at: t, querier: head).run().value }
    }

    static func failure(_ query: String) -> QueryError? {
        if case .failure(let e) = run(query) { return e }
        return nil
    }

    @Test(arguments: [
        "up[1e300]", "up offset 1e300", "up offset -1e300", "up[0xFFFFFFFFFFFFFFFF]", "rate(up[1m:106751991167d])",
        "up @ 1e300", "up @ -1e300", "up @ 1e16", "max_over_time(up[1m:1e300])", "up[40000y]", "up offset 40000y",
    ])
    func durationsAndTimesOutOfRangeAreBadData(query: String) {
        #expect(Self.failure(query)?.kind == .badData, "\(query)")
    }

    @Test(arguments: [
        "requests_total @ 1.1e12 offset -35000y", "max_over_time(requests_total[35000y] @ 1.1e12 offset 35000y)",
        "rate(requests_total[35000y] offset -35000y)", "timestamp(requests_total @ -1.1e12)",
    ])
    func extremeButValidTimesEvaluateWithoutOverflow(query: String) {
        if case .failure(let e) = Self.run(query) { #expect(e.kind != .badData, "\(query): \(e)") }
    }

    @Test(arguments: ["max_over_time(requests_total[35000y:1m])", "count_over_time(requests_total[10y:1s] offset 35000y)"])
    func subqueriesWithMoreStepsThanTheSampleLimitFailAtOnce(query: String) {
        let start = ContinuousClock.now
        #expect(Self.failure(query)?.message.contains("too many samples") == true, "\(query)")
        #expect(start.duration(to: .now) < .seconds(5))
    }

    @Test func nestingUpToTheLimitEvaluatesAndBeyondIsRefused() {
        let depth = Parser.maxNesting - 1
        let parens = String(repeating: "(", count: depth) + "requests_total" + String(repeating: ")", count: depth)
        let minuses = String(repeating: "-", count: depth) + "requests_total"
        let chain = Array(repeating: "requests_total", count: depth).joined(separator: " + ")
        for query in [parens, minuses, chain] {
            guard case .success(.vector(let v)) = Self.run(query) else {
                Issue.record("a query nested \(depth) deep must evaluate")
                continue
            }
            #expect(v.count == 3)
        }
        for query in [
            String(repeating: "(", count: 200_000) + "up" + String(repeating: ")", count: 200_000),
            String(repeating: "-", count: 200_000) + "up",
            Array(repeating: "up", count: 100_000).joined(separator: " or "),
            String(repeating: "abs(", count: 100_000) + "up" + String(repeating: ")", count: 100_000),
        ] {
            let e = Self.failure(query)
            #expect(e?.kind == .badData)
            #expect(e?.message.contains("nested too deeply") == true)
        }
    }

    /// Found by the promql-parse, promql-eval and api-parameters fuzz targets: a duration
    /// whose last digits end the query without a unit read one byte past the input.
    @Test(arguments: ["--(+( 4y5", "up[5m5", "4y5", "30s10", "rate(x[1h30"])
    func aDurationCutShortAtTheEndOfTheQueryIsBadData(query: String) {
        #expect(Self.failure(query)?.kind == .badData, "\(query)")
        #expect(throws: ParseError.self) { try Parser.parseSelector("upp0t}30s10") }
    }
}
