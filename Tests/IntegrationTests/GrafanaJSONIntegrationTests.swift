import Foundation
import Testing

/// The Grafana JSON datasource API under `/grafana/json`, against the plugin's OpenAPI contract
/// (checked by schemathesis from PyPI) and against Vigil's own query API.
@Suite(.serialized) struct GrafanaJSONIntegrationTests {
    static func start() async throws -> (VigilInstance, ChildProcess, String) {
        let (api, port) = try await startModelAPI(rate: 20)
        let dir = Paths.tempDirectory()
        let config = """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: model-api
            static_configs:
              - targets: ['127.0.0.1:\(port)']
        """
        let vigil = try await VigilInstance(config: config, dir: dir)
        _ = await eventually(timeout: .seconds(20)) {
            (try? await HTTP.request(vigil.base + "/api/v1/query?query=count_over_time(up[1m])").body.contains("\"5\"")) ?? false
        }
        return (vigil, api, dir)
    }

    static func post(_ vigil: VigilInstance, _ path: String, _ body: String) async throws -> HTTP.Reply {
        try await HTTP.request(vigil.base + "/grafana/json" + path, method: "POST", body: body)
    }

    static func iso(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// The plugin's contract, read from `../shared/specs` (the test is skipped where that folder is absent).
    static let spec = Paths.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/specs/grafana-json-datasource.openapi.yaml").path

    @Test(.enabled(if: FileManager.default.fileExists(atPath: spec), "needs ../shared/specs"))
    func everyResponseFollowsThePluginsOpenAPIContract() async throws {
        let (vigil, api, dir) = try await Self.start()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        defer { _ = api }
        let spec = Self.spec
        let run = try await runToolAsync("/usr/bin/env", [
            "python3", "-m", "schemathesis.cli", "run", spec, "--url", vigil.base + "/grafana/json",
            "--checks", "not_a_server_error,response_schema_conformance", "--max-examples", "40", "--seed", "7", "--no-color",
        ])
        #expect(run.status == 0, "\(run.output.suffix(4000))")
        #expect(run.output.contains("passed"), "\(run.output.suffix(2000))")
        #expect(vigil.process.isRunning, "bad input never kills the server")
    }

    @Test func queriesAgreeWithTheQueryAPIAndHonourBuilderPayloadsFiltersAndVariables() async throws {
        let (vigil, api, dir) = try await Self.start()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        defer { _ = api }
        // A window that ended a few seconds ago, so no scrape is still adding samples to it.
        try await Task.sleep(for: .seconds(3))
        let now = (Int64(Date().timeIntervalSince1970 * 1000) - 3_000) / 1000 * 1000
        let from = now - 60_000
        let expr = "sum by (species) (rate(python_iris_predictions_total[5s]))"
        let body = """
            {"range":{"from":"\(Self.iso(from))","to":"\(Self.iso(now))","raw":{"from":"now-1m","to":"now"}},
             "intervalMs":2000,"maxDataPoints":1000,
             "targets":[{"refId":"A","target":"sum by (species) (rate(python_iris_predictions_total[$window]))","payload":{"legendFormat":"{{species}}"}}],
             "scopedVars":{"window":{"text":"5s","value":"5s"}}}
            """
        let reply = try await Self.post(vigil, "/query", body)
        #expect(reply.status == 200, "\(reply.body)")
        let series = try #require(reply.json as? [[String: Any]])
        let reference = try await HTTP.request(vigil.base + "/api/v1/query_range?query=\(expr.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&start=\(from / 1000)&end=\(now / 1000)&step=2")
        let matrix = ((reference.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        #expect(!matrix.isEmpty && series.count == matrix.count)
        for s in matrix {
            let species = (s["metric"] as? [String: String])?["species"] ?? ""
            let expected = (s["values"] as? [[Any]] ?? []).map { [($0[1] as? String).flatMap(Double.init) ?? -1, ($0[0] as? Double ?? 0) * 1000] }
            let got = series.first { $0["target"] as? String == species }?["datapoints"] as? [[Double]] ?? []
            // Foundation's JSON reader may round a 17-digit number to a neighbouring double, so values
            // are compared to within a few units in the last place.
            #expect(got.count == expected.count && zip(got, expected).allSatisfy { g, e in
                g[1] == e[1] && abs(g[0] - e[0]) <= 1e-12 * max(1, abs(e[0]))
            }, "series \(species): \(got) vs \(expected)")
        }

        // The builder's payload makes the same query out of a metric name.
        let builder = """
            {"range":{"from":"\(Self.iso(from))","to":"\(Self.iso(now))"},"intervalMs":2000,
             "targets":[{"refId":"B","target":"python_iris_predictions_total","payload":{"function":"rate","aggregation":"sum","by":["species"],"labels":["job=\\"model-api\\""]}}]}
            """
        let built = try await Self.post(vigil, "/query", builder).json as? [[String: Any]]
        #expect(built?.count == matrix.count)

        // Ad-hoc filters narrow every selector; a table answers at the range's end.
        let filtered = """
            {"range":{"from":"\(Self.iso(from))","to":"\(Self.iso(now))"},"intervalMs":5000,
             "targets":[{"refId":"C","target":"python_iris_predictions_total","payload":{"format":"table"}}],
             "adhocFilters":[{"key":"species","operator":"=","value":"setosa"}]}
            """
        let table = try await Self.post(vigil, "/query", filtered).json as? [[String: Any]]
        #expect(table?.first?["type"] as? String == "table")
        let rows = table?.first?["rows"] as? [[Any]] ?? []
        #expect(rows.count == 1 && rows.first?.contains { $0 as? String == "setosa" } == true, "\(String(describing: table))")

        let variable = try await Self.post(vigil, "/variable", #"{"payload":{"target":"label_values(python_iris_predictions_total, species)"}}"#)
        let values = (variable.json as? [[String: String]] ?? []).compactMap { $0["value"] }
        #expect(values == ["setosa", "versicolor", "virginica"], "\(variable.body)")
        let jobs = try await Self.post(vigil, "/tag-values", #"{"key":"job"}"#).json as? [[String: String]]
        #expect(jobs == [["text": "model-api"]])
        let keys = (try await Self.post(vigil, "/tag-keys", "{}").json as? [[String: String]] ?? []).compactMap { $0["text"] }
        #expect(keys.contains("species") && !keys.contains("__name__"))

        // Mistakes are 400s with a message the panel shows, never a crash.
        let broken = try await Self.post(vigil, "/query", #"{"range":{"from":"2024-01-01T00:00:00Z","to":"2024-01-01T01:00:00Z"},"targets":[{"refId":"X","target":"sum(("}]}"#)
        #expect(broken.status == 400 && broken.body.contains("parse error"), "\(broken.body)")
        #expect(try await Self.post(vigil, "/query", "not json").status == 400)
        #expect(try await HTTP.request(vigil.base + "/grafana/json/").status == 200)
    }

    /// Native histograms scraped from a protobuf target reach Grafana as numbers: by default the
    /// 0.5/0.9/0.99 quantiles (the values `histogram_quantile` gives in the query API), as bucket
    /// rows for a heatmap (each bucket's own count and upper bound, as the query API's histogram
    /// JSON has them), or as the observation count; a view that does not exist is a 400.
    @Test func nativeHistogramsReachGrafanaAsQuantilesBucketRowsOrCounts() async throws {
        let (target, targetPort) = try await NativeHistogramScrapeIntegrationTests.startTarget()
        defer { _ = target }
        let config = "global:\n  scrape_interval: 300ms\n  scrape_timeout: 300ms\nscrape_configs:\n  - job_name: model\n"
            + "    static_configs:\n      - targets: ['127.0.0.1:\(targetPort)']\n"
        let vigil = try await VigilInstance(config: config, extraArgs: ["--enable-feature=native-histograms"])
        let enough = await eventually(timeout: .seconds(60)) {
            ((try? await NativeHistogramSamples.served(base: vigil.base, name: "model_batch_queue")) ?? [:]).count >= 30
        }
        try #require(enough, "Vigil log:\n\(vigil.process.log.suffix(2000))")
        // A window that ended a few seconds ago: no scrape adds to it any more.
        try await Task.sleep(for: .seconds(2))
        let now = (Int64(Date().timeIntervalSince1970 * 1000) - 2_000) / 1000 * 1000
        let from = now - 6_000
        let expr = "rate(model_inference_seconds[2s])"
        func grafana(_ payload: String) async throws -> HTTP.Reply {
            try await Self.post(vigil, "/query", """
                {"range":{"from":"\(Self.iso(from))","to":"\(Self.iso(now))"},"intervalMs":1000,"maxDataPoints":1000,
                 "targets":[{"refId":"A","target":"\(expr)","payload":{\(payload)}}]}
                """)
        }
        func queryRange(_ query: String) async throws -> [[String: Any]] {
            let reply = try await HTTP.request(vigil.base + "/api/v1/query_range?query=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&start=\(from / 1000)&end=\(now / 1000)&step=1")
            return try #require(((reply.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [[String: Any]], "\(reply.body)")
        }
        func points(_ series: [[String: Any]], _ target: String) -> [[Double]] {
            series.first { $0["target"] as? String == target }?["datapoints"] as? [[Double]] ?? []
        }
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }

        // Quantiles, the default view.
        let quantiles = try #require(try await grafana(#""legendFormat":"{{quantile}}""#).json as? [[String: Any]])
        #expect(Set(quantiles.compactMap { $0["target"] as? String }) == ["0.5", "0.9", "0.99"], "\(quantiles)")
        for q in ["0.5", "0.9", "0.99"] {
            let reference = try await queryRange("histogram_quantile(\(q), \(expr))")
            let expected = (reference.first?["values"] as? [[Any]] ?? []).map { [NativeHistogramSamples.number($0[1]), ($0[0] as? Double ?? 0) * 1000] }
            let got = points(quantiles, q)
            #expect(!expected.isEmpty && got.count == expected.count && zip(got, expected).allSatisfy { $0[1] == $1[1] && close($0[0], $1[0]) },
                    "quantile \(q): \(got) vs \(expected)")
        }

        // Bucket rows: one series per upper bound, each point the bucket's own count.
        let rows = try #require(try await grafana(#""histogram":"buckets","legendFormat":"{{le}}""#).json as? [[String: Any]])
        var expectedRows: [Double: [Double: Double]] = [:]
        for series in try await queryRange(expr) {
            for point in series["histograms"] as? [[Any]] ?? [] {
                guard let t = point[0] as? Double, let h = point[1] as? [String: Any] else { continue }
                for b in NativeHistogramSamples.bucketLayout(h) { expectedRows[b[2], default: [:]][t * 1000] = b[3] }
            }
        }
        func bound(_ target: String) -> Double? { target == "+Inf" ? .infinity : Double(target) }
        #expect(expectedRows.count >= 3, "the target's histogram spreads over several buckets: \(expectedRows.keys)")
        for (upper, expected) in expectedRows {
            var got: [Double: Double] = [:]
            for p in rows.first(where: { ($0["target"] as? String).flatMap(bound).map { close($0, upper) } ?? false })?["datapoints"] as? [[Double]] ?? [] {
                got[p[1]] = p[0]
            }
            // The query API lists populated buckets; a heatmap row also has the empty buckets
            // inside the spans, as zeros.
            #expect(expected.allSatisfy { t, v in got[t].map { close($0, v) } ?? false }, "bucket le=\(upper): \(got) vs \(expected)")
            #expect(got.allSatisfy { t, v in expected[t] != nil || v == 0 }, "bucket le=\(upper): \(got) vs \(expected)")
        }
        let bounds = rows.compactMap { ($0["target"] as? String).flatMap(bound) }
        #expect(bounds == bounds.sorted(), "rows ascend by bound: \(bounds)")

        // Counts, and as a table at the range's end.
        let counts = try #require(try await grafana(#""histogram":"count""#).json as? [[String: Any]])
        let countReference = try await queryRange("histogram_count(\(expr))")
        let expectedCounts = (countReference.first?["values"] as? [[Any]] ?? []).map { NativeHistogramSamples.number($0[1]) }
        let gotCounts = (counts.first?["datapoints"] as? [[Double]] ?? []).map { $0[0] }
        #expect(counts.count == 1 && gotCounts.count == expectedCounts.count && zip(gotCounts, expectedCounts).allSatisfy(close), "\(gotCounts) vs \(expectedCounts)")
        let table = try #require(try await grafana(#""histogram":"quantiles","format":"table""#).json as? [[String: Any]])
        #expect((table.first?["rows"] as? [[Any]])?.count == 3, "a row per quantile: \(table)")

        let wrong = try await grafana(#""histogram":"violin""#)
        #expect(wrong.status == 400 && wrong.body.contains("quantiles, buckets, count, sum"), "\(wrong.body)")
        let options = try await Self.post(vigil, "/metric-payload-options", #"{"metric":"model_inference_seconds","name":"histogram"}"#)
        #expect((options.json as? [[String: String]])?.compactMap { $0["value"] } == ["quantiles", "buckets", "count", "sum"], "\(options.body)")
    }
}
