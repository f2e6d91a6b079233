import MetricModel
import Testing
import TSDB
@testable import PromQL

/// A prepared query's cost estimate, which decides where the server runs it.
@Suite struct PreparedQueryTests {
    /// `series` counters scraped every 15 s for an hour.
    static func head(series: Int) -> Head {
        let head = Head.inMemory()
        var app = head.appender()
        for i in 0..<series {
            let labels = Labels(["__name__": "requests_total", "instance": "i\(i)"])
            for step in 0...240 { _ = app.append(ref: nil, labels: labels, t: Int64(step) * 15_000, v: Double(step)) }
        }
        _ = try? app.commit()
        return head
    }

    @Test func moreSeriesCostMore() throws {
        let (small, large) = (Self.head(series: 10), Self.head(series: 1_000))
        let query = "sum(rate(requests_total[5m]))"
        let a = try Engine().prepareInstant(query, at: 3_600_000, querier: small).estimatedCost
        let b = try Engine().prepareInstant(query, at: 3_600_000, querier: large).estimatedCost
        #expect(a > 0)
        #expect(b > 50 * a)
    }

    @Test func aRangeQueryCostsMoreThanOneInstantOfIt() throws {
        let head = Self.head(series: 100)
        let query = "sum(rate(requests_total[5m]))"
        let instant = try Engine().prepareInstant(query, at: 3_600_000, querier: head).estimatedCost
        let range = try Engine().prepareRange(query, start: 0, end: 3_600_000, step: 15_000, querier: head).estimatedCost
        #expect(range > 10 * instant)
    }

    @Test func subqueryStepsMultiply() throws {
        let head = Self.head(series: 1)
        let plain = try Engine().prepareInstant("max_over_time(vector(1)[1h:1s])", at: 0, querier: head).estimatedCost
        let nested = try Engine().prepareInstant("max_over_time(max_over_time(vector(1)[1h:1s])[1h:1s])", at: 0, querier: head).estimatedCost
        #expect(plain >= 3_600)
        #expect(nested >= 3_600 * plain)
    }

    /// Steps beyond what an `Int` counts saturate instead of trapping.
    @Test func anAbsurdSubqueryEstimateSaturates() throws {
        let query = "max_over_time(max_over_time(max_over_time(vector(1)[10000d:1ms])[10000d:1ms])[10000d:1ms])"
        let cost = try Engine().prepareInstant(query, at: 0, querier: Self.head(series: 1)).estimatedCost
        #expect(cost == Int.max / 2)
    }

    /// The series are selected when the query is prepared; what arrives later is not read.
    @Test func runningReadsTheSelectionMadeWhenPrepared() throws {
        let head = Self.head(series: 3)
        let prepared = try Engine().prepareInstant("count(requests_total)", at: 3_600_000, querier: head)
        var app = head.appender()
        _ = app.append(ref: nil, labels: Labels(["__name__": "requests_total", "instance": "late"]), t: 3_600_000, v: 1)
        _ = try app.commit()
        guard case .vector(let v) = try prepared.run().value else { Issue.record("not a vector"); return }
        #expect(v.first?.v == 3)
        guard case .vector(let again) = try Engine().instantQuery("count(requests_total)", at: 3_600_000, querier: head) else { return }
        #expect(again.first?.v == 4)
    }
}
