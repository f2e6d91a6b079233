import Foundation
import Testing

/// End-to-end: the real `vigil` binary scraping real targets.
@Suite(.serialized) struct ScrapeIntegrationTests {
    static func config(_ jobs: [(String, Int)], extra: String = "") -> String {
        var yaml = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\(extra)scrape_configs:\n"
        for (job, port) in jobs {
            yaml += "  - job_name: \(job)\n    static_configs:\n      - targets: ['127.0.0.1:\(port)']\n"
        }
        return yaml
    }

    @Test func scrapesPrometheusClientAndNodeExporterThenMarksStale() async throws {
        let (api, apiPort) = try await startModelAPI()
        let (node, nodePort) = try await startNodeExporter()
        defer { _ = node }
        let vigil = try await VigilInstance(config: Self.config([("model-api", apiPort), ("node", nodePort)]))

        let bothUp = try await eventually {
            let a = try await vigil.health(of: "model-api")
            let n = try await vigil.health(of: "node")
            return a == "up" && n == "up"
        }
        #expect(bothUp, "\(vigil.process.log)")
        let target = try #require(try await vigil.activeTargets().first { ($0["scrapePool"] as? String) == "model-api" })
        #expect((target["labels"] as? [String: String]) == ["job": "model-api", "instance": "127.0.0.1:\(apiPort)"])
        #expect(target["scrapeUrl"] as? String == "http://127.0.0.1:\(apiPort)/metrics")
        #expect((target["discoveredLabels"] as? [String: String])?["__address__"] == "127.0.0.1:\(apiPort)")
        for key in ["lastError", "lastScrape", "lastScrapeDuration", "scrapeInterval", "scrapeTimeout", "globalUrl"] {
            #expect(target[key] != nil, "missing \(key)")
        }
        try await Task.sleep(for: .seconds(3))

        // The target goes away: Vigil reports it down with the reason.
        api.signal(SIGKILL)
        #expect(await api.waitForExit() != nil)
        let down = try await eventually(timeout: .seconds(10)) {
            let t = try await vigil.activeTargets().first { ($0["scrapePool"] as? String) == "model-api" }
            return t?["health"] as? String == "down" && !((t?["lastError"] as? String) ?? "").isEmpty
        }
        #expect(down)
        vigil.process.signal(SIGTERM)
        #expect(await vigil.process.waitForExit() == 0, "\(vigil.process.log)")

        let samples = try vigil.dump(["job=model-api"])
        let requests = samples.filter { $0.name == "python_request_operations_total" }
        #expect(requests.count >= 3)
        let values = requests.compactMap(\.number)
        #expect(values == values.sorted(), "a counter went backwards: \(values)")
        #expect(requests.last?.isStale == true, "no staleness marker after the target stopped")
        let species = Set(samples.filter { $0.name == "python_iris_predictions_total" }.compactMap { $0.labels["species"] })
        #expect(!species.isEmpty && species.isSubset(of: ["setosa", "versicolor", "virginica"]))
        let buckets = Set(samples.filter { $0.name == "python_processing_time_seconds_bucket" }.compactMap { $0.labels["le"] })
        #expect(buckets.isSuperset(of: ["0.005", "1.0", "+Inf"]))
        #expect(!samples.contains { $0.name.hasSuffix("_created") }, "OpenMetrics _created series must not be stored")
        let up = samples.filter { $0.name == "up" }.compactMap(\.number)
        #expect(up.first == 1)
        #expect(up.last == 0)
        for name in ["scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"] {
            #expect(samples.contains { $0.name == name }, "missing \(name)")
        }
        let nodeSamples = try vigil.dump(["job=node", "__name__=node_cpu_seconds_total"])
        #expect(!nodeSamples.isEmpty)
        #expect(nodeSamples.allSatisfy { $0.labels["instance"] == "127.0.0.1:\(nodePort)" })
    }

    /// A body over `ScrapeLoop.inlineIngestLimit` (here 12,000 series from prometheus_client,
    /// about 600 KB) is ingested on the blocking pool; every sample arrives all the same.
    @Test func aLargeBodyIsIngestedWhole() async throws {
        let port = freePort()
        let script = """
        import sys, time
        from prometheus_client import Gauge, start_http_server
        g = Gauge('feature_drift_score', 'Drift per feature', ['feature', 'model'])
        for i in range(12000):
            g.labels(feature='feature_%05d_of_the_training_set' % i, model='iris-classifier-v2').set(i)
        start_http_server(int(sys.argv[1]), addr='127.0.0.1')
        while True:
            time.sleep(1)
        """
        let target = try ChildProcess(name: "big-target", executable: "/usr/bin/env", arguments: ["python3", "-c", script, "\(port)"])
        defer { _ = target }
        let up = await eventually(timeout: .seconds(20)) { await HTTP.get("http://127.0.0.1:\(port)/metrics") != nil }
        try #require(up, "\(target.log)")
        let body = try await HTTP.request("http://127.0.0.1:\(port)/metrics").body
        #expect(body.utf8.count > 256 << 10)
        // Rendering 12,000 series takes prometheus_client a while on a loaded machine: more than
        // the other tests' 1 s timeout.
        let config = Self.config([("drift", port)]).replacingOccurrences(of: "scrape_interval: 1s\n  scrape_timeout: 1s", with: "scrape_interval: 5s\n  scrape_timeout: 5s")
        let vigil = try await VigilInstance(config: config)
        let complete = try await eventually(timeout: .seconds(60)) {
            let reply = try await HTTP.request(vigil.base + "/api/v1/query?query=count(feature_drift_score)%20and%20sum(feature_drift_score)%20%3D%3D%2071994000")
            return reply.body.contains("\"12000\"")
        }
        #expect(complete, "\(vigil.process.log)")
    }

    @Test func sigkillLosesNoSampleThatWasVisible() async throws {
        let (api, apiPort) = try await startModelAPI()
        defer { _ = api }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var visible = 0.0
        do {
            let vigil = try await VigilInstance(config: Self.config([("model-api", apiPort)]), dir: dir)
            _ = try await eventually {
                let metrics = try await HTTP.request(vigil.base + "/metrics").body
                let line = metrics.split(separator: "\n").first { $0.hasPrefix("vigil_tsdb_head_samples_appended_total ") }
                visible = line.flatMap { Double($0.split(separator: " ")[1]) } ?? 0
                return visible >= 100
            }
            vigil.process.signal(SIGKILL)
            _ = await vigil.process.waitForExit()
            #expect(visible >= 100)
            let stored = try vigil.dump()
            #expect(Double(stored.count) >= visible, "stored \(stored.count) of \(visible) acknowledged samples")
        }
        // The killed instance's directory replays and serves again.
        let again = try await VigilInstance(config: Self.config([("model-api", apiPort)]), dir: dir)
        let log = again.process.log
        #expect(log.contains("storage ready"))
    }

    @Test func reloadKeepsRunningConfigWhenTheNewOneIsInvalid() async throws {
        let (api, apiPort) = try await startModelAPI(rate: 0)
        defer { _ = api }
        let vigil = try await VigilInstance(config: Self.config([("model-api", apiPort)]), extraArgs: ["--web.enable-lifecycle"])
        try "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: x\n    scrape_intervl: 5s\n".write(toFile: vigil.configPath, atomically: true, encoding: .utf8)
        let bad = try await HTTP.request(vigil.base + "/-/reload", method: "POST")
        #expect(bad.status == 500)
        #expect(bad.body.contains("prometheus.yml:5"), "\(bad.body)")
        #expect(try await vigil.health(of: "model-api") != nil)
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(metrics.contains("vigil_config_last_reload_successful 0"))

        // SIGHUP picks up a valid change.
        try Self.config([("model-api", apiPort), ("second", apiPort)]).write(toFile: vigil.configPath, atomically: true, encoding: .utf8)
        vigil.process.signal(SIGHUP)
        #expect(try await eventually(timeout: .seconds(10)) { try await vigil.health(of: "second") != nil })
    }

    @Test func badConfigFailsStartupNamingFileAndLine() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bad.yml"
        try "scrape_configs:\n  - job_name: a\n    scrape_timeout: 20s\n    scrape_interval: 10s\n".write(toFile: path, atomically: true, encoding: .utf8)
        let p = try ChildProcess(name: "vigil", executable: Paths.vigil, arguments: ["--config.file=\(path)", "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(freePort())"])
        #expect(await p.waitForExit() == 1)
        #expect(p.log.contains("bad.yml:2"), "\(p.log)")
        #expect(p.log.contains("scrape timeout greater than scrape interval"))
    }

    @Test func statusEndpointsMatchPrometheusShapes() async throws {
        let (api, apiPort) = try await startModelAPI(rate: 0)
        defer { _ = api }
        let config = Self.config([("model-api", apiPort)]).replacingOccurrences(
            of: "    static_configs:", with: "    basic_auth:\n      username: u\n      password: topsecret\n    static_configs:")
        let vigil = try await VigilInstance(config: config)
        #expect(try await HTTP.request(vigil.base + "/-/healthy").status == 200)
        let build = try #require(try await HTTP.request(vigil.base + "/api/v1/status/buildinfo").json as? [String: Any])
        let buildData = try #require(build["data"] as? [String: Any])
        #expect(buildData["version"] != nil)
        #expect(buildData["features"] == nil, "a features field makes Grafana treat Vigil as Mimir")
        let flags = try #require((try await HTTP.request(vigil.base + "/api/v1/status/flags").json as? [String: Any])?["data"] as? [String: String])
        #expect(flags["config.file"] == vigil.configPath)
        #expect(flags["storage.tsdb.retention.time"] == "15d")
        let yaml = try #require(((try await HTTP.request(vigil.base + "/api/v1/status/config").json as? [String: Any])?["data"] as? [String: String])?["yaml"])
        #expect(yaml.contains("password: <secret>"))
        #expect(!yaml.contains("topsecret"))
        #expect(try await HTTP.request(vigil.base + "/-/reload", method: "POST").status == 403)
        _ = try await eventually { try await vigil.health(of: "model-api") == "up" }
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(metrics.contains("vigil_scrape_duration_seconds_bucket{job=\"model-api\""))
        #expect(metrics.contains("vigil_tsdb_head_series "))
    }

    @Test func jsonLogsAreOneObjectPerLine() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--log.format=json"])
        // The output pipe is read asynchronously: wait for the readiness line to come through.
        _ = await eventually(timeout: .seconds(10)) { vigil.process.log.contains("ready to receive web requests") }
        let lines = vigil.process.log.split(separator: "\n").filter { !$0.isEmpty }
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["msg"] != nil, "\(line)")
        }
    }

    @Test func versionFlagPrintsVersion() async throws {
        let p = try ChildProcess(name: "vigil", executable: Paths.vigil, arguments: ["--version"])
        #expect(await p.waitForExit() == 0)
        #expect(p.log.contains("vigil, version"))
    }
}
