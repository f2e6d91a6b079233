import Foundation
import Testing

/// A bounded load test: wrk drives `/api/v1/query_range`, `/api/v2/alerts` and the Grafana JSON
/// datasource at once while Vigil scrapes 100 targets every second. It prints requests per second
/// and latency percentiles (the README quotes a run) and checks that no scrape missed its interval.
///
/// It needs the machine to itself, so it runs only with `VIGIL_LOAD_TEST=1`: `scripts/test.sh`
/// runs it on its own after every other test.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["VIGIL_LOAD_TEST"] != nil, "set VIGIL_LOAD_TEST=1 (scripts/test.sh does)"))
struct LoadIntegrationTests {
    struct WrkResult {
        var requestsPerSecond: Double
        var latency: [String: String]
        var non2xx: Int
        var output: String

        init(_ output: String) {
            self.output = output
            requestsPerSecond = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
                .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
            latency = [:]
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count == 2, ["50%", "90%", "99%"].contains(String(parts[0])) { latency[String(parts[0])] = String(parts[1]) }
            }
            non2xx = output.split(separator: "\n").first { $0.contains("Non-2xx") }
                .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        }
    }

    /// `vigil_scrapes_total` and `vigil_scrape_failures_total` of job `models`.
    static func scrapeCounters(_ vigil: VigilInstance) async throws -> (scrapes: Double, failures: Double) {
        let text = try await HTTP.request(vigil.base + "/metrics").body
        func value(_ name: String) -> Double {
            text.split(separator: "\n").first { $0.hasPrefix(name + "{") && $0.contains("job=\"models\"") }
                .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }
        return (value("vigil_scrapes_total"), value("vigil_scrape_failures_total"))
    }

    @Test func apiUnderLoadWhileScrapingOneHundredTargetsOnSchedule() async throws {
        let (api, apiPort) = try await startModelAPI(rate: 5)
        defer { _ = api }
        let groups = (0..<100).map { "      - targets: ['127.0.0.1:\(apiPort)']\n        labels: {replica: 'r\($0)'}\n" }.joined()
        let config = """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: models
                static_configs:
            \(groups)
            """
        let vigil = try await VigilInstance(config: config)
        #expect(try await eventually { try await vigil.activeTargets().filter { ($0["health"] as? String) == "up" }.count == 100 })
        try await Task.sleep(for: .seconds(5))

        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let grafanaScript = dir + "/grafana.lua"
        try """
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            wrk.body = '{"range":{"from":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 300) .. '","to":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. '"},"intervalMs":15000,"maxDataPoints":200,"targets":[{"refId":"A","target":"sum by (replica) (rate(python_gc_objects_collected_total[1m]))"}]}'
            """.write(toFile: grafanaScript, atomically: true, encoding: .utf8)
        let now = Int(Date().timeIntervalSince1970)
        let range = vigil.base + "/api/v1/query_range?query=" + HostileInputIntegrationTests.form("sum by (replica) (rate(python_gc_objects_collected_total[1m]))")
            + "&start=\(now - 300)&end=\(now)&step=15"
        let before = try await Self.scrapeCounters(vigil)
        let loadStart = Int64(Date().timeIntervalSince1970 * 1000)
        let runs: [(String, [String])] = [
            ("query_range", [range]),
            ("api/v2/alerts", [vigil.base + "/api/v2/alerts"]),
            ("grafana/json/query", ["-s", grafanaScript, vigil.base + "/grafana/json/query"]),
        ]
        // Three wrk processes at once (child processes, so none waits for a pool thread).
        var running: [(String, ChildProcess)] = []
        for (name, args) in runs {
            running.append((name, try ChildProcess(name: "wrk", executable: "/usr/bin/wrk", arguments: ["-t1", "-c8", "-d10s", "--latency"] + args)))
        }
        var results: [(String, WrkResult)] = []
        for (name, process) in running {
            _ = await process.waitForExit(timeout: .seconds(60))
            results.append((name, WrkResult(process.log)))
        }
        let loadEnd = Int64(Date().timeIntervalSince1970 * 1000)
        let after = try await Self.scrapeCounters(vigil)
        for (name, r) in results {
            print("load: \(name): \(Int(r.requestsPerSecond)) req/s, p50 \(r.latency["50%"] ?? "?"), p90 \(r.latency["90%"] ?? "?"), p99 \(r.latency["99%"] ?? "?")")
            #expect(r.requestsPerSecond > 20, "\(name): \(r.output)")
            #expect(r.non2xx == 0, "\(name): \(r.output)")
        }

        // Vigil's own scrape metrics: one scrape per target per second, none failed.
        let seconds = Double(loadEnd - loadStart) / 1000
        let scrapes = after.scrapes - before.scrapes
        print("load: \(Int(scrapes)) scrapes in \(seconds) s under load (100 targets, 1 s interval)")
        #expect(scrapes >= 100 * (seconds - 1.5), "vigil_scrapes_total rose by \(scrapes) in \(seconds) s")
        #expect(after.failures == before.failures)

        // Every target was scraped every second during the load: no gap between `up` samples
        // over 1.5 intervals.
        let dump = try vigil.dump(["__name__=up", "job=models"])
        var byReplica: [String: [Int64]] = [:]
        for s in dump where s.t >= loadStart && s.t <= loadEnd { byReplica[s.labels["replica"] ?? "", default: []].append(s.t) }
        #expect(byReplica.count == 100)
        var worstGap: Int64 = 0
        for (_, times) in byReplica {
            let sorted = times.sorted()
            for (a, b) in zip(sorted, sorted.dropFirst()) { worstGap = max(worstGap, b - a) }
            #expect(sorted.count >= Int((loadEnd - loadStart) / 1000) - 1)
        }
        print("load: longest gap between scrapes of one target during the load: \(worstGap) ms")
        #expect(worstGap <= 1500, "a scrape missed its interval under load: gap \(worstGap) ms")
    }
}
