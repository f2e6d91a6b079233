import MetricModel
import Testing
@testable import TSDB

/// `vigil tsdb analyze`'s figures: series, label names, postings, the largest metric names and
/// labels, and churn (series that start or stop inside the range).
@Suite struct CardinalityAnalysisTests {
    @Test func countsSeriesLabelsPostingsAndChurn() throws {
        let head = Head.inMemory()
        var app = head.appender()
        // Two pods scraped for the whole hour; a third appears at minute 40 (churn).
        for t in stride(from: Int64(0), through: 3_600_000, by: 60_000) {
            for pod in ["a", "b"] {
                _ = app.append(ref: nil, labels: Labels(["__name__": "http_requests_total", "pod": pod, "code": "200"]), t: t, v: Double(t))
                _ = app.append(ref: nil, labels: Labels(["__name__": "up", "pod": pod]), t: t, v: 1)
            }
            if t >= 2_400_000 { _ = app.append(ref: nil, labels: Labels(["__name__": "http_requests_total", "pod": "c", "code": "500"]), t: t, v: 1) }
        }
        _ = try app.commit()
        let a = CardinalityAnalysis(series: head.select([], mint: .min, maxt: .max), range: 0...3_600_000, top: 2)
        #expect(a.seriesCount == 5)
        #expect(a.labelNameCount == 3)
        // __name__ ×2, pod ×3, code ×2.
        #expect(a.labelPairCount == 7)
        #expect(a.postingsEntries == 3 * 3 + 2 * 2)
        #expect(a.churningSeries == 1)
        #expect(a.metricsBySeries == [.init(name: "http_requests_total", count: 3), .init(name: "up", count: 2)])
        #expect(a.labelsByValues == [.init(name: "pod", count: 3), .init(name: "__name__", count: 2)])
        #expect(a.commonLabelPairs.first == .init(name: "__name__=\"http_requests_total\"", count: 3))
        #expect(a.churningLabelPairs.map(\.name).sorted() == ["__name__=\"http_requests_total\"", "code=\"500\""])
    }

    @Test func anEmptyStoreAnalysesToZeros() {
        let a = CardinalityAnalysis(series: [], range: Int64.min...Int64.max)
        #expect(a.seriesCount == 0 && a.labelPairCount == 0 && a.metricsBySeries.isEmpty && a.churningSeries == 0)
    }
}
