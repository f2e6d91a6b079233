import Foundation
import Testing

/// Vigil started on a data directory the real Prometheus wrote (blocks, its WAL, its head chunks)
/// serves the same history: every query of a battery over the blocks and over Prometheus' head
/// answers the same on both.
@Suite(.serialized) struct PrometheusDataDirectoryIntegrationTests {
    static let prometheus = "/usr/bin/prometheus"
    static let promtool = "/usr/bin/promtool"

    @Test func vigilAnswersLikePrometheusOnPrometheusDataDirectory() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.prometheus), "Debian's prometheus is not installed: run scripts/install-test-deps.sh")
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = dir + "/data"

        // History: five hours of a counter and a gauge per model, ending three hours ago, written
        // as blocks by promtool (Prometheus' own TSDB code).
        let now = Int64(Date().timeIntervalSince1970) * 1000
        let historyEnd = (now - 3 * 3_600_000) / 30_000 * 30_000
        let historyStart = historyEnd - 5 * 3_600_000
        var text = "# TYPE ml_requests counter\n# TYPE ml_queue_depth gauge\n"
        for model in ["churn", "fraud"] {
            var total = 0.0
            var t = historyStart
            var step = 0
            while t <= historyEnd {
                total += Double((step * 13 + model.count) % 7)
                if step == 300 && model == "fraud" { total = 1 } // a restart: the counter resets
                text += "ml_requests_total{model=\"\(model)\"} \(total) \(t / 1000)\n"
                t += 30_000
                step += 1
            }
        }
        for model in ["churn", "fraud"] {
            var t = historyStart
            var step = 0
            while t <= historyEnd {
                text += "ml_queue_depth{model=\"\(model)\"} \(Double((step * 7) % 23) / 4) \(t / 1000)\n"
                t += 30_000
                step += 1
            }
        }
        text += "# EOF\n"
        try text.write(toFile: dir + "/history.om", atomically: true, encoding: .utf8)
        let created = try await runToolAsync(Self.promtool, ["tsdb", "create-blocks-from", "openmetrics", dir + "/history.om", data])
        try #require(created.status == 0, "\(created.output)")

        // Prometheus runs on that directory and scrapes itself for a while: those samples are in
        // its WAL and head chunks only.
        let promPort = freePort()
        try """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: prometheus
            static_configs:
              - targets: ['127.0.0.1:\(promPort)']
        """.write(toFile: dir + "/prometheus-scraping.yml", atomically: true, encoding: .utf8)
        let scraping = try ChildProcess(name: "prometheus", executable: Self.prometheus, arguments: [
            "--config.file=\(dir)/prometheus-scraping.yml", "--storage.tsdb.path=\(data)", "--web.listen-address=127.0.0.1:\(promPort)",
        ])
        let base = "http://127.0.0.1:\(promPort)"
        let scraped = await eventually(timeout: .seconds(60)) {
            let reply = await HTTP.get(base + "/api/v1/query?query=count_over_time(up[1m])")
            return reply?.body.contains("\"8\"") == true || reply?.body.contains("\"9\"") == true
        }
        #expect(scraped, "\(scraping.log.suffix(2000))")
        scraping.signal(SIGTERM)
        _ = await scraping.waitForExit()

        // The same directory, served by Prometheus without scraping (nothing changes), then by Vigil.
        try "scrape_configs: []\n".write(toFile: dir + "/prometheus-idle.yml", atomically: true, encoding: .utf8)
        let idlePort = freePort()
        let idle = try ChildProcess(name: "prometheus", executable: Self.prometheus, arguments: [
            "--config.file=\(dir)/prometheus-idle.yml", "--storage.tsdb.path=\(data)", "--web.listen-address=127.0.0.1:\(idlePort)",
        ])
        let idleBase = "http://127.0.0.1:\(idlePort)"
        #expect(await eventually(timeout: .seconds(60)) { await HTTP.get(idleBase + "/-/ready")?.status == 200 }, "\(idle.log.suffix(2000))")
        let headEnd = try await Self.newestUp(idleBase)
        let queries = Self.battery(historyStart: historyStart, historyEnd: historyEnd, headEnd: headEnd)
        var expected: [String] = []
        for q in queries { expected.append(try await Self.data(idleBase + q)) }
        idle.signal(SIGTERM)
        _ = await idle.waitForExit()

        let vigil = try await VigilInstance(config: "scrape_configs: []\n", dir: dir)
        for (q, want) in zip(queries, expected) {
            let got = try await Self.data(vigil.base + q)
            #expect(got == want, "\(q)\nPrometheus: \(want.prefix(600))\nVigil: \(got.prefix(600))")
        }
        #expect(vigil.process.log.contains("imported Prometheus' WAL"), "\(vigil.process.log.suffix(2000))")
        // Replay is over and says so; the blocks are counted in Vigil's metrics.
        let replay = try await HTTP.request(vigil.base + "/api/v1/status/walreplay")
        #expect(replay.status == 200 && replay.body.contains("\"state\":\"done\""), "\(replay.body)")
        let blockDirs = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.count == 26 && !$0.contains(".") }
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        func value(_ name: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
        }
        #expect(value("vigil_tsdb_blocks_loaded") == Double(blockDirs.count), "\(blockDirs)")
        #expect(value("vigil_tsdb_wal_replay_in_progress") == 0)
        #expect((value("vigil_tsdb_wal_replay_samples") ?? 0) > 0)
        // Prometheus' files are left as they were: its WAL is still there for it.
        #expect(FileManager.default.fileExists(atPath: data + "/wal/" + "00000000"))
    }

    /// The time of the newest `up` sample (Prometheus' head), in milliseconds.
    static func newestUp(_ base: String) async throws -> Int64 {
        let reply = try await HTTP.request(base + "/api/v1/query?query=timestamp(up)")
        let result = ((reply.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [[String: Any]]
        let value = (result?.first?["value"] as? [Any])?.last as? String
        return Int64((Double(value ?? "") ?? 0) * 1000)
    }

    /// Dashboard and alert queries over the blocks, across them, and over the head.
    static func battery(historyStart: Int64, historyEnd: Int64, headEnd: Int64) -> [String] {
        func seconds(_ ms: Int64) -> String { String(format: "%.3f", Double(ms) / 1000) }
        let mid = historyStart + 2 * 3_600_000 + 12_345
        var out: [String] = []
        for q in ["ml_queue_depth", "rate(ml_requests_total[5m])", "sum by (model) (increase(ml_requests_total[1h]))",
                  "max_over_time(ml_queue_depth[45m])", "resets(ml_requests_total[3h])", "count({__name__=~\"ml_.*\"})"] {
            out.append("/api/v1/query?query=\(q.urlQueryEncoded)&time=\(seconds(mid))")
        }
        out.append("/api/v1/query_range?query=\("avg by (model) (ml_queue_depth)".urlQueryEncoded)&start=\(seconds(historyStart))&end=\(seconds(historyEnd))&step=600")
        // Range windows never start exactly on a sample: Prometheus 2 includes a sample on the left
        // edge of a range, Prometheus 3 (and Vigil) do not (README, "Differences").
        out.append("/api/v1/query_range?query=\("sum(rate(ml_requests_total[10m]))".urlQueryEncoded)&start=\(seconds(historyStart + 7_345))&end=\(seconds(historyEnd))&step=900")
        out.append("/api/v1/query_range?query=up&start=\(seconds(headEnd - 6_000))&end=\(seconds(headEnd))&step=1")
        out.append("/api/v1/query?query=\("count_over_time(prometheus_build_info[1m])".urlQueryEncoded)&time=\(seconds(headEnd))")
        out.append("/api/v1/query?query=\("sum(scrape_samples_scraped)".urlQueryEncoded)&time=\(seconds(headEnd))")
        out.append("/api/v1/label/model/values")
        out.append("/api/v1/series?match[]=ml_requests_total&start=\(seconds(historyStart))&end=\(seconds(historyEnd))")
        return out
    }

    /// The `data` member of an API answer, re-serialised with sorted keys.
    static func data(_ url: String) async throws -> String {
        let reply = try await HTTP.request(url)
        let data = (reply.json as? [String: Any])?["data"] ?? reply.body
        let bytes = try JSONSerialization.data(withJSONObject: ["data": data], options: [.sortedKeys])
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    var urlQueryEncoded: String {
        addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? self
    }
}
