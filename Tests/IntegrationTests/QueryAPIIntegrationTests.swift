import Foundation
import Synchronization
import Testing

/// The query API against real clients: promtool (Debian's prometheus package) and the request
/// shapes Grafana's Prometheus datasource sends.
@Suite(.serialized) struct QueryAPIIntegrationTests {
    static func promtool(_ args: [String]) throws -> (status: Int32, output: String) { try runTool("/usr/bin/promtool", args) }

    static func startScrapingModelAPI() async throws -> (ChildProcess, VigilInstance) {
        let (api, port) = try await startModelAPI(rate: 20)
        let config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: model-api\n    static_configs:\n      - targets: ['127.0.0.1:\(port)']\n"
        let vigil = try await VigilInstance(config: config)
        // Enough scrapes that rate() over 5s windows has data at every step of a 4s range.
        _ = try await eventually {
            let r = try await HTTP.request(vigil.base + "/api/v1/query?query=count(count_over_time(up%5B12s%5D)%20%3E%3D%209)")
            return r.body.contains("\"1\"]")
        }
        return (api, vigil)
    }

    @Test func promtoolQueriesInstantRangeSeriesAndLabels() async throws {
        #expect(FileManager.default.fileExists(atPath: "/usr/bin/promtool"), "Debian's prometheus package provides promtool: run scripts/install-test-deps.sh")
        let (api, vigil) = try await Self.startScrapingModelAPI()
        defer { _ = api }
        let url = vigil.base

        let instant = try Self.promtool(["query", "instant", url, "sum by (species) (rate(python_iris_predictions_total[5s]))"])
        #expect(instant.status == 0, "\(instant.output)")
        #expect(instant.output.contains("{species=\"setosa\"} =>"), "\(instant.output)")

        let now = Int(Date().timeIntervalSince1970)
        let range = try Self.promtool(["query", "range", "--start=\(now - 4)", "--end=\(now)", "--step=1s", url, "up"])
        #expect(range.status == 0, "\(range.output)")
        #expect(range.output.contains("up{instance="), "\(range.output)")

        let series = try Self.promtool(["query", "series", url, "--match=python_request_operations_total"])
        #expect(series.status == 0, "\(series.output)")
        #expect(series.output.contains("job=\"model-api\""), "\(series.output)")

        let labels = try Self.promtool(["query", "labels", url, "job"])
        #expect(labels.status == 0)
        #expect(labels.output.trimmingCharacters(in: .whitespacesAndNewlines) == "model-api")

        let bad = try Self.promtool(["query", "instant", url, "sum(rate(x[5m])"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("1:16: parse error"), "\(bad.output)")
    }

    @Test func aQueryOverTheSampleLimitFailsAloneAndTheServerCarriesOn() async throws {
        let (api, port) = try await startModelAPI(rate: 5)
        defer { _ = api }
        let config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: model-api\n    static_configs:\n      - targets: ['127.0.0.1:\(port)']\n"
        let vigil = try await VigilInstance(config: config, extraArgs: ["--query.max-samples=50"])
        _ = try await eventually { try await HTTP.request(vigil.base + "/api/v1/query?query=count(up)").body.contains("\"1\"]") }
        try await Task.sleep(for: .seconds(3))
        let big = try await HTTP.request(vigil.base + "/api/v1/query?query=" + "count_over_time(%7Bjob%3D%22model-api%22%7D%5B1m%5D)")
        #expect(big.status == 422, "\(big.body)")
        #expect(big.body.contains("too many samples"))
        let small = try await HTTP.request(vigil.base + "/api/v1/query?query=up")
        #expect(small.status == 200)
    }

    /// Handlers run on the event loop that read the request; a query estimated to take long goes
    /// to the blocking pool instead, so connections that share its event loop are still served.
    @Test func aLongQueryDoesNotHoldUpOtherConnections() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n")
        // Billions of evaluation steps over a constant, stopped by the query's own timeout.
        let longQuery = "max_over_time(max_over_time(vector(1)[1h:1ms])[1h:1s])"
        let longFinished = Mutex(false)
        // The long query runs 20 s: the sixteen small ones must finish inside it even while the
        // rest of the test command loads this two-core machine (4 s was once too short there).
        let long = Task {
            defer { longFinished.withLock { $0 = true } }
            return try await HTTP.request(vigil.base + "/api/v1/query?timeout=20s&query=" + (longQuery.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), timeout: .seconds(60))
        }
        try await Task.sleep(for: .milliseconds(300))
        // Each on a new connection, so they land on every event loop, the long query's included.
        for _ in 0..<16 {
            let reply = try await HTTP.request(vigil.base + "/api/v1/query?query=1%2B1", closeConnection: true)
            #expect(reply.status == 200)
        }
        #expect(!longFinished.withLock { $0 }, "the small queries were answered only after the long one ended")
        let reply = try await long.value
        #expect(reply.status == 503, "\(reply.body)")
        #expect(reply.body.contains("\"errorType\":\"timeout\""))
    }

    /// `format_query` prints what the real Prometheus prints, long queries laid out the same way.
    @Test func formatQueryAgreesWithRealPrometheus() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n")
        let (prom, promBase, promDir) = try await startPrometheus()
        defer { _ = prom; try? FileManager.default.removeItem(atPath: promDir) }

        let queries = [
            "sum by(job)(rate(python_request_operations_total{job=\"model-api\",instance=~\"a.*\"}[5m] offset 1h @ 100))",
            "a/on(x)group_left(y)b", "foo[1h:] offset -90m", "-x ^ 2", "topk(5, x) > bool 1.5e3", "x[5m:30s] @ end()",
            "histogram_quantile(0.95, sum by (le, instance) (rate(python_processing_time_seconds_bucket{job=\"model-api\", instance=~\"api-.*\"}[5m])))",
            "sum without(instance)(rate(http_requests_total{job=\"api-server\",code=~\"5..\"}[5m])) / ignoring(code) sum without(instance, code)(rate(http_requests_total{job=\"api-server\"}[5m]))",
            "label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\") unless on() count_values(\"v\", x) or absent(nonexistent{job=\"a\\\\b\\n\"})",
            "(1 + 2) * 3 % 4 ^ -5", "max_over_time((rate(x[5m]) > 0)[1h:1m])",
            "clamp(avg without (cpu) (rate(node_cpu_seconds_total{mode!=\"idle\"}[2m])), 0, 1) * 100 > 90 and on (instance) up == 1",
        ]
        for q in queries {
            let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
            let theirs = try await HTTP.request(promBase + "/api/v1/format_query?query=" + encoded)
            let ours = try await HTTP.request(vigil.base + "/api/v1/format_query?query=" + encoded)
            let expected = (theirs.json as? [String: Any])?["data"] as? String
            #expect(expected != nil, "Prometheus: \(theirs.body)")
            #expect((ours.json as? [String: Any])?["data"] as? String == expected, "query: \(q)\nVigil: \(ours.body)\nPrometheus: \(theirs.body)")
        }
        let bad = try await HTTP.request(vigil.base + "/api/v1/format_query?query=sum(rate(x%5B5m%5D)")
        #expect(bad.status == 400)
        #expect(bad.body.contains("1:16: parse error"), "\(bad.body)")
        let tree = try await HTTP.request(vigil.base + "/api/v1/parse_query?query=up", method: "POST")
        #expect((tree.json as? [String: Any]).flatMap { $0["data"] as? [String: Any] }?["type"] as? String == "vectorSelector", "\(tree.body)")
    }

    @Test func grafanaRequestShapes() async throws {
        let (api, vigil) = try await Self.startScrapingModelAPI()
        defer { _ = api }
        // Health check.
        let health = try await HTTP.request(vigil.base + "/api/v1/query?query=1%2B1&time=1700000000")
        #expect(health.body == "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000,\"2\"]}}")
        // Metric browser.
        let names = try #require((try await HTTP.request(vigil.base + "/api/v1/label/__name__/values").json as? [String: Any])?["data"] as? [String])
        #expect(names.contains("python_request_operations_total"))
        // Series lookup with match[] (POST form, as Grafana sends it).
        let series = try await HTTP.form(vigil.base + "/api/v1/series", ["match[]": "up{job=\"model-api\"}"])
        let list = try #require((series.json as? [String: Any])?["data"] as? [[String: String]])
        #expect(list.first?["job"] == "model-api")
        // Range query with aligned steps, POST form.
        let end = (Int(Date().timeIntervalSince1970) / 2) * 2
        let range = try await HTTP.form(vigil.base + "/api/v1/query_range", [
            "query": "histogram_quantile(0.95, sum by (le) (rate(python_processing_time_seconds_bucket[5s])))",
            "start": "\(end - 4)", "end": "\(end)", "step": "2",
        ])
        let data = try #require((range.json as? [String: Any])?["data"] as? [String: Any])
        #expect(data["resultType"] as? String == "matrix")
        let values = try #require(((data["result"] as? [[String: Any]])?.first?["values"]) as? [[Any]])
        #expect(values.count == 3)
        #expect(values.allSatisfy { ($0[0] as? Double).map { Int($0) % 2 == 0 } == true && $0[1] is String })
        // Metadata from the scraped HELP/TYPE lines, and cardinality statistics.
        let metadata = try #require((try await HTTP.request(vigil.base + "/api/v1/metadata").json as? [String: Any])?["data"] as? [String: [[String: String]]])
        #expect(metadata["python_request_operations"]?.first?["type"] == "counter")
        #expect(metadata["python_processing_time_seconds"]?.first?["help"] == "Time spent processing a request")
        let tsdb = try #require((try await HTTP.request(vigil.base + "/api/v1/status/tsdb").json as? [String: Any])?["data"] as? [String: Any])
        #expect(((tsdb["headStats"] as? [String: Any])?["numSeries"] as? Int ?? 0) > 10)
        let byName = try #require(tsdb["seriesCountByMetricName"] as? [[String: Any]])
        #expect(byName.first?["name"] as? String == "python_processing_time_seconds_bucket")
        // Annotations travel in `infos` and `warnings`.
        let annotated = try await HTTP.request(vigil.base + "/api/v1/query?query=" + "rate(python_model_info%5B5s%5D)")
        let infos = (annotated.json as? [String: Any])?["infos"] as? [String]
        #expect(infos?.first?.contains("metric might not be a counter") == true, "\(annotated.body)")
        let quantile = try await HTTP.request(vigil.base + "/api/v1/query?query=" + "quantile(2%2C%20up)")
        #expect(((quantile.json as? [String: Any])?["warnings"] as? [String])?.first?.contains("quantile value should be between 0 and 1") == true)
        // Errors have Prometheus' types and status codes.
        let bad = try await HTTP.request(vigil.base + "/api/v1/query?query=rate(up)")
        #expect(bad.status == 400)
        #expect((bad.json as? [String: Any])?["errorType"] as? String == "bad_data")
        let manyToMany = try await HTTP.request(vigil.base + "/api/v1/query?query=" + "python_request_operations_total%20%2B%20on()%20up%7Bjob%3D%22model-api%22%7D%20%2B%20on()%20python_iris_predictions_total")
        #expect(manyToMany.status == 422)
        #expect((manyToMany.json as? [String: Any])?["errorType"] as? String == "execution")
    }
}

extension HTTP {
    /// POSTs a form-encoded body.
    static func form(_ url: String, _ fields: [String: String]) async throws -> Reply {
        var req = HTTPClientRequest(url: url)
        req.method = .POST
        req.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = fields.map { k, v in
            (k.addingPercentEncoding(withAllowedCharacters: allowed) ?? k) + "=" + (v.addingPercentEncoding(withAllowedCharacters: allowed) ?? v)
        }.joined(separator: "&")
        req.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(req, timeout: .seconds(10))
        return Reply(status: Int(response.status.code), body: String(buffer: try await response.body.collect(upTo: 16 << 20)))
    }
}

import AsyncHTTPClient
import NIOCore
