import Config
import Exposition
import MetricModel
import Testing
import TSDB
@testable import Scrape

/// Feeds bodies through the processor into a real in-memory head, as a scrape loop does.
struct Harness {
    let head = Head.inMemory()
    var cache = ScrapeCache()
    var options: ScrapeOptions
    let target = Labels(["job": "model-api", "instance": "api:8000"])

    init(_ configure: (inout ScrapeConfig) -> Void = { _ in }) {
        var c = ScrapeConfig(jobName: "model-api")
        configure(&c)
        options = ScrapeOptions(c)
    }

    @discardableResult
    mutating func scrape(_ body: String, at t: Int64, format: ExpositionFormat = .text) throws -> ScrapeIngest {
        try scrape(bytes: Array(body.utf8), at: t, format: format)
    }

    /// One scrape of a body in `format`: ingested, stale series marked, committed.
    @discardableResult
    mutating func scrape(bytes body: [UInt8], at t: Int64, format: ExpositionFormat) throws -> ScrapeIngest {
        var app = head.appender()
        cache.beginScrape()
        do {
            let r = try ScrapeProcessor.ingest(body: body, format: format, scrapeTime: t, targetLabels: target,
                                               options: options, cache: &cache, appender: &app)
            ScrapeProcessor.appendStaleness(cache.disappeared(), at: t, appender: &app)
            _ = try ScrapeProcessor.commit(&app, cache: &cache, targetLabels: target, options: options)
            cache.endScrape(success: true)
            return r
        } catch {
            app.rollback()
            cache.endScrape(success: false)
            throw error
        }
    }

    func samples(_ name: String) throws -> [Labels: [Sample]] {
        var out: [Labels: [Sample]] = [:]
        for s in head.select([try LabelMatcher(.equal, "__name__", name)], mint: .min, maxt: .max) {
            out[s.labels] = Array(s.samples())
        }
        return out
    }
}

@Suite struct ScrapeProcessorTests {
    @Test func attachesTargetLabelsAndCountsSeries() throws {
        var h = Harness()
        let r = try h.scrape("predictions_total{species=\"setosa\"} 3\npredictions_total{species=\"virginica\"} 1\n", at: 1000)
        #expect(r.samplesScraped == 2)
        #expect(r.seriesAdded == 2)
        let s = try h.samples("predictions_total")
        #expect(s.keys.contains(Labels(["__name__": "predictions_total", "species": "setosa", "job": "model-api", "instance": "api:8000"])))
        // The second scrape is served from the cache: no series added.
        #expect(try h.scrape("predictions_total{species=\"setosa\"} 4\npredictions_total{species=\"virginica\"} 1\n", at: 2000).seriesAdded == 0)
    }

    @Test func theCacheHoldsReferencesAndEverySeriesIsFoundAgainOnTheNextScrape() throws {
        var h = Harness()
        let body = "a_total{k=\"1\"} 1\na_total{k=\"2\"} 2\nb 3\n"
        try h.scrape(body, at: 1000)
        #expect(h.cache.entries.count == 3)
        #expect(h.cache.entries.allSatisfy { $0.ref != nil && !$0.dropped })
        // Keys with equal hashes chain; every series is found again on the next scrape.
        #expect(try h.scrape(body, at: 2000).seriesAdded == 0)
    }

    @Test func aSeriesTheHeadForgotIsStoredAgainUnderItsLabelsWithoutLosingASample() throws {
        var h = Harness { $0.metricRelabelConfigs = [RelabelConfig(sourceLabels: ["k"], targetLabel: "kk", replacement: "x$1")] }
        let body = "a_total{k=\"1\"} 1\nb 3\n"
        try h.scrape(body, at: 1000)
        let before = Set(h.cache.entries.compactMap(\.ref))
        // The target goes quiet for hours: retention drops its series from the head while the
        // cache still holds their references.
        h.head.truncate(before: 10_000_000)
        #expect(h.head.seriesCount == 0)
        try h.scrape("a_total{k=\"1\"} 5\nb 7\n", at: 10_000_000)
        let a = try h.samples("a_total")
        #expect(a[Labels(["__name__": "a_total", "k": "1", "kk": "x1", "job": "model-api", "instance": "api:8000"])]?.map(\.v) == [5])
        #expect(try h.samples("b").values.first?.map(\.v) == [7])
        // The cache took the new references; the next scrape appends by them.
        #expect(Set(h.cache.entries.compactMap(\.ref)).isDisjoint(with: before))
        try h.scrape("a_total{k=\"1\"} 6\nb 8\n", at: 10_015_000)
        #expect(try h.samples("a_total").values.first?.map(\.v) == [5, 6])
        #expect(h.head.seriesCount == 2)
    }

    @Test func aChurningTargetsCacheForgetsGoneSeriesAndFindsTheRest() throws {
        var h = Harness()
        for scrape in 0..<20 {
            // 1,100 series, 100 of them new each scrape: 3,000 seen in all.
            var body = ""
            for i in 0..<1000 { body += "kept_total{i=\"\(i)\"} \(scrape)\n" }
            for i in 0..<100 { body += "churn_total{run=\"\(scrape)\",i=\"\(i)\"} 1\n" }
            let r = try h.scrape(body, at: Int64(scrape + 1) * 1000)
            #expect(r.seriesAdded == (scrape == 0 ? 1100 : 100))
        }
        // Compaction kept the cache near one scrape's series, with keys intact.
        #expect(h.cache.entries.count <= 2 * 1100)
        for i in h.cache.entries.indices { #expect(!h.cache.key(of: i).isEmpty) }
        #expect(try h.samples("kept_total").values.allSatisfy { $0.count == 20 })
    }

    @Test func marksVanishedSeriesStale() throws {
        var h = Harness()
        try h.scrape("a 1\nb 1\n", at: 1000)
        try h.scrape("a 2\n", at: 2000)
        let b = try #require(try h.samples("b").values.first)
        #expect(b.count == 2)
        #expect(StaleNaN.isStale(b[1].v))
        #expect(b[1].t == 2000)
        // A series that comes back is simply appended again.
        try h.scrape("a 3\nb 5\n", at: 3000)
        #expect(try h.samples("b").values.first?.last == Sample(t: 3000, v: 5))
    }

    @Test func seriesWithExplicitTimestampsGetNoStaleMarker() throws {
        var h = Harness()
        try h.scrape("a 1 500\n", at: 1000)
        try h.scrape("", at: 2000)
        #expect(try h.samples("a").values.first == [Sample(t: 500, v: 1)])
    }

    @Test func honorTimestampsFalseUsesScrapeTime() throws {
        var h = Harness { $0.honorTimestamps = false }
        try h.scrape("a 1 500\n", at: 1000)
        #expect(try h.samples("a").values.first == [Sample(t: 1000, v: 1)])
    }

    @Test func metricRelabelingDropsSeriesOnce() throws {
        var h = Harness { c in
            c.metricRelabelConfigs = [RelabelConfig(sourceLabels: ["__name__"], regex: try! AnchoredRegex("go_.*"), action: .drop)]
        }
        let r = try h.scrape("go_goroutines 5\nup_custom 1\n", at: 1000)
        #expect(r.samplesScraped == 2)
        #expect(r.samplesPostRelabeling == 1)
        #expect(try h.samples("go_goroutines").isEmpty)
    }

    @Test func sampleLimitFailsTheWholeScrape() throws {
        var h = Harness { $0.limits.sampleLimit = 2 }
        #expect(throws: ScrapeError.self) { try h.scrape("a 1\nb 1\nc 1\n", at: 1000) }
        #expect(h.head.seriesCount <= 3)
        #expect(try h.samples("a").values.allSatisfy { $0.isEmpty })
    }

    @Test(arguments: [
        ("label_limit", "m{a=\"1\",b=\"2\",c=\"3\"} 1\n"),
        ("label_name_length_limit", "m{very_long_label_name=\"1\"} 1\n"),
        ("label_value_length_limit", "m{a=\"a-very-long-value\"} 1\n"),
    ])
    func labelLimitsFailTheScrapeWithTheReason(limit: String, body: String) throws {
        var h = Harness { c in
            c.limits.labelLimit = 4
            c.limits.labelNameLengthLimit = 10
            c.limits.labelValueLengthLimit = 10
        }
        do {
            try h.scrape(body, at: 1000)
            Issue.record("accepted")
        } catch let e as ScrapeError {
            #expect(e.message.hasPrefix(limit))
        }
    }

    @Test func malformedBodyNamesTheLineAndStoresNothing() throws {
        var h = Harness()
        try h.scrape("good 1\n", at: 1000)
        do {
            try h.scrape("good 2\nbad{ 1\n", at: 2000)
            Issue.record("accepted")
        } catch let e as ScrapeError {
            #expect(e.message.contains("line 2"))
        }
        #expect(try h.samples("good").values.first == [Sample(t: 1000, v: 1)])
    }

    @Test func duplicateSeriesInOneBodyAreCountedNotStored() throws {
        var h = Harness()
        let r = try h.scrape("a 1\na 2\n", at: 1000)
        #expect(r.report.duplicate == 1)
        #expect(try h.samples("a").values.first == [Sample(t: 1000, v: 1)])
    }
}

@Suite struct SampleLabelsTests {
    static let target = Labels(["job": "api", "instance": "h:1"])

    @Test func targetWinsAndExposedLabelIsExported() {
        let merged = SampleLabels.merge(exposed: Labels(["__name__": "m", "job": "inner", "exported_job": "x"]), target: Self.target, honor: false)
        #expect(merged == Labels(["__name__": "m", "job": "api", "instance": "h:1", "exported_job": "x", "exported_exported_job": "inner"]))
    }

    @Test func honorLabelsKeepsExposedValues() {
        let merged = SampleLabels.merge(exposed: Labels(["__name__": "m", "job": "inner"]), target: Self.target, honor: true)
        #expect(merged == Labels(["__name__": "m", "job": "inner", "instance": "h:1"]))
    }
}

@Suite struct TargetBuilderTests {
    @Test func buildsURLAndInstanceFromLabels() throws {
        var c = ScrapeConfig(jobName: "api")
        c.params = ["module": ["http 2xx"]]
        let out = TargetBuilder.build([TargetGroup(targets: ["api:8000"], labels: Labels(["__meta_zone": "a"]))], config: c)
        guard case .target(let t) = out.first else { Issue.record("no target"); return }
        #expect(t.url == "http://api:8000/metrics?module=http%202xx")
        #expect(t.sampleLabels == Labels(["job": "api", "instance": "api:8000"]))
        #expect(t.discoveredLabels["__meta_zone"] == "a")
    }

    @Test func relabelingCanDropOrRewriteTargets() throws {
        var c = ScrapeConfig(jobName: "api")
        c.relabelConfigs = [
            RelabelConfig(sourceLabels: ["env"], regex: try AnchoredRegex("dev"), action: .drop),
            RelabelConfig(sourceLabels: ["__address__"], regex: try AnchoredRegex("(.*):8000"), targetLabel: "__address__", replacement: "$1:9000"),
        ]
        let out = TargetBuilder.build([
            TargetGroup(targets: ["a:8000"], labels: Labels(["env": "prod"])),
            TargetGroup(targets: ["b:8000"], labels: Labels(["env": "dev"])),
        ], config: c)
        guard case .target(let t) = out[0], case .dropped = out[1] else { Issue.record("unexpected \(out)"); return }
        #expect(t.url == "http://a:9000/metrics")
    }

    @Test func rejectsTimeoutAboveIntervalFromRelabeling() throws {
        var c = ScrapeConfig(jobName: "api")
        c.relabelConfigs = [RelabelConfig(targetLabel: "__scrape_timeout__", replacement: "1m")]
        guard case .invalid(_, let reason) = TargetBuilder.build([TargetGroup(targets: ["a:1"])], config: c)[0] else {
            Issue.record("accepted"); return
        }
        #expect(reason.contains("greater than scrape interval"))
    }
}

@Suite struct ScrapeScheduleTests {
    @Test(arguments: [0 as UInt64, 1, 7_499, 14_999, 123_456_789])
    func keepsPhaseAndInterval(hash: UInt64) {
        let s = ScrapeSchedule(intervalMs: 15_000, targetHash: hash)
        let t1 = s.next(after: 1_700_000_000_123)
        let t2 = s.next(after: t1)
        #expect(t2 - t1 == 15_000)
        #expect((t1 - s.offsetMs) % 15_000 == 0)
        #expect(t1 > 1_700_000_000_123 && t1 <= 1_700_000_015_123)
        // The same target after a restart scrapes on the same phase.
        #expect(ScrapeSchedule(intervalMs: 15_000, targetHash: hash).next(after: 1_700_000_100_000) % 15_000 == t1 % 15_000)
    }
}

/// Counters going down are counted per scrape — counters, histogram buckets and counts, and
/// untyped `_total` series — while gauges, sums and `_created` are free to move.
@Suite struct CounterResetCountingTests {
    static func body(requests: Int, bucket: Int, gauge: Double, sum: Double, untyped: Int) -> String {
        """
        # TYPE python_request_operations_total counter
        python_request_operations_total \(requests)
        # TYPE python_request_operations_created gauge
        python_request_operations_created \(1_700_000_000 - requests)
        # TYPE python_processing_time_seconds histogram
        python_processing_time_seconds_bucket{le="0.1"} \(bucket)
        python_processing_time_seconds_bucket{le="+Inf"} \(bucket)
        python_processing_time_seconds_count \(bucket)
        python_processing_time_seconds_sum \(sum)
        # TYPE python_queue_depth gauge
        python_queue_depth \(gauge)
        legacy_jobs_total \(untyped)

        """
    }

    @Test func countsCountersThatWentDownAndNothingElse() throws {
        var h = Harness()
        #expect(try h.scrape(Self.body(requests: 10, bucket: 5, gauge: 3, sum: 1, untyped: 7), at: 1000).counterResets == 0)
        // Everything that may move moves; no counter goes down.
        #expect(try h.scrape(Self.body(requests: 11, bucket: 5, gauge: 1, sum: -4, untyped: 7), at: 2000).counterResets == 0)
        // Another worker answers: the counter, both buckets, the count and the untyped total go down.
        #expect(try h.scrape(Self.body(requests: 4, bucket: 2, gauge: 9, sum: 0.5, untyped: 6), at: 3000).counterResets == 5)
        #expect(try h.scrape(Self.body(requests: 12, bucket: 6, gauge: 9, sum: 2, untyped: 8), at: 4000).counterResets == 0)
    }

    @Test func openMetricsFamiliesAreNamedWithoutTheirSuffix() throws {
        var h = Harness()
        func body(_ n: Int) -> String {
            "# TYPE requests counter\nrequests_total \(n)\nrequests_created 1700000000\n# TYPE temperature gauge\ntemperature \(n)\n# EOF\n"
        }
        try h.scrape(body(5), at: 1000, format: .openMetrics)
        // `requests_total` belongs to the counter family `requests`; the gauge going down is no reset.
        #expect(try h.scrape(body(2), at: 2000, format: .openMetrics).counterResets == 1)
    }
}
