import Foundation
import Testing

/// Vigil remote-writes what it scrapes, from its WAL, to real receivers: Debian's Prometheus
/// (`--web.enable-remote-write-receiver`) and Debian's VictoriaMetrics. What they store must be
/// what Vigil stores, sample for sample, across a minute-long outage of one receiver and a
/// restart of Vigil in the middle of it.
@Suite(.serialized) struct RemoteWriteSenderIntegrationTests {
    /// Raw samples of `selector` over the `window` seconds before `at`, by series (labels other
    /// than `replica`, rendered sorted), as `/api/v1/query` with a range selector answers.
    static func rawSamples(_ base: String, _ selector: String, at: Int64, window: Int) async throws -> [String: [String]] {
        let query = "\(selector)[\(window)s]".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let reply = try await HTTP.request(base + "/api/v1/query?query=\(query)&time=\(Double(at) / 1000)")
        let data = ((reply.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        var out: [String: [String]] = [:]
        for series in data {
            var metric = series["metric"] as? [String: String] ?? [:]
            metric["replica"] = nil
            let key = metric.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            out[key] = (series["values"] as? [[Any]] ?? []).map { pair in
                let t = Int64((((pair.first as? NSNumber)?.doubleValue ?? 0) * 1000).rounded())
                return "\(t)@\(pair.last as? String ?? "")"
            }
        }
        return out
    }

    static func startVictoriaMetrics(dir: String, port: Int) async throws -> ChildProcess {
        let vm = try ChildProcess(name: "victoria-metrics", executable: "/usr/bin/victoria-metrics", arguments: [
            "-storageDataPath=\(dir)", "-httpListenAddr=127.0.0.1:\(port)", "-search.latencyOffset=0s", "-retentionPeriod=1",
        ])
        guard await eventually(timeout: .seconds(30), { await HTTP.get("http://127.0.0.1:\(port)/health")?.status == 200 }) else {
            throw PeerError("VictoriaMetrics did not start: \(vm.log.suffix(1000))")
        }
        return vm
    }

    /// A queue's gauge from Vigil's `/metrics`.
    static func queueMetric(_ vigil: VigilInstance, _ name: String, queue: String) async -> Double? {
        guard let text = try? await HTTP.request(vigil.base + "/metrics").body else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix(name + "{") && $0.contains("remote_name=\"\(queue)\"") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func scrapedDataArrivesIdenticallyAcrossAReceiverOutageAndAVigilRestart() async throws {
        let prometheus = try debianPrometheus()
        let (api, apiPort) = try await startModelAPI()
        defer { _ = api }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let promPort = freePort()
        try "scrape_configs: []\n".write(toFile: dir + "/receiver.yml", atomically: true, encoding: .utf8)
        let receiver = try ChildProcess(name: "prometheus-receiver", executable: prometheus, arguments: [
            "--config.file=\(dir)/receiver.yml", "--storage.tsdb.path=\(dir)/receiver", "--web.listen-address=127.0.0.1:\(promPort)",
            "--web.enable-remote-write-receiver",
        ])
        defer { _ = receiver }
        let promBase = "http://127.0.0.1:\(promPort)"
        #expect(await eventually(timeout: .seconds(30)) { await HTTP.get(promBase + "/-/ready")?.status == 200 })
        let vmPort = freePort()
        let vmBase = "http://127.0.0.1:\(vmPort)"
        var vm: ChildProcess? = try await Self.startVictoriaMetrics(dir: dir + "/vm", port: vmPort)

        let port = freePort()
        let config = """
            global:
              scrape_interval: 1s
              external_labels: {replica: edge-1}
            scrape_configs:
              - job_name: model-api
                static_configs: [{targets: ['127.0.0.1:\(apiPort)']}]
            remote_write:
              - url: \(promBase)/api/v1/write
                name: prometheus
                queue_config: {batch_send_deadline: 1s, min_backoff: 50ms, max_backoff: 1s}
              - url: \(vmBase)/api/v1/write
                name: victoria
                queue_config: {batch_send_deadline: 1s, min_backoff: 50ms, max_backoff: 1s}
            """
        try FileManager.default.createDirectory(atPath: dir + "/vigil", withIntermediateDirectories: true)
        var vigil = try await VigilInstance(config: config, dir: dir + "/vigil", port: port)
        let started = Int64(Date().timeIntervalSince1970 * 1000)

        // Both receivers get the data within seconds, with the external label.
        for base in [promBase, vmBase] {
            #expect(try await eventually(timeout: .seconds(30)) {
                let found = try await Self.rawSamples(base, #"up{job="model-api",replica="edge-1"}"#, at: Int64(Date().timeIntervalSince1970 * 1000), window: 60)
                return !found.isEmpty
            }, "\(base): \(vigil.process.log.suffix(1500))")
        }

        // VictoriaMetrics goes away for a minute; Vigil restarts in the middle of it.
        vm?.signal(SIGTERM)
        _ = await vm?.waitForExit()
        vm = nil
        let outage = ContinuousClock.now
        try await Task.sleep(for: .seconds(15))
        #expect((await Self.queueMetric(vigil, "prometheus_remote_storage_samples_pending", queue: "victoria") ?? 0) > 0)
        #expect((await Self.queueMetric(vigil, "prometheus_remote_storage_samples_retried_total", queue: "victoria") ?? 0) > 0)
        vigil.process.signal(SIGTERM)
        #expect(await vigil.process.waitForExit() == 0, "\(vigil.process.log.suffix(1500))")
        #expect(FileManager.default.fileExists(atPath: dir + "/vigil/data/remote_write"), "progress is saved at shutdown")
        vigil = try await VigilInstance(config: config, dir: dir + "/vigil", port: port)
        try await Task.sleep(until: outage + .seconds(60))
        vm = try await Self.startVictoriaMetrics(dir: dir + "/vm", port: vmPort)
        defer { _ = vm }

        // Once the backlog is sent, every sample Vigil holds over the whole run is in both
        // receivers, and nothing else.
        let end = Int64(Date().timeIntervalSince1970 * 1000)
        for queue in ["prometheus", "victoria"] {
            #expect(await eventually(timeout: .seconds(60)) {
                (await Self.queueMetric(vigil, "prometheus_remote_storage_queue_highest_sent_timestamp_seconds", queue: queue) ?? 0) * 1000 >= Double(end)
            }, "\(queue) caught up: \(vigil.process.log.suffix(30000))")
        }
        let window = Int((end - started) / 1000) + 5
        let selector = #"{__name__=~"python_iris_predictions_total|up|python_request_operations_total",job="model-api"}"#
        let stored = try await Self.rawSamples(vigil.base, selector, at: end, window: window)
        #expect(stored.values.reduce(0) { $0 + $1.count } > 3 * 60, "Vigil scraped the whole time")
        for (name, base) in [("prometheus", promBase), ("victoria-metrics", vmBase)] {
            // VictoriaMetrics makes what it ingested searchable within a few seconds.
            _ = try await eventually(timeout: .seconds(15)) { try await Self.rawSamples(base, selector, at: end, window: window) == stored }
            let received = try await Self.rawSamples(base, selector, at: end, window: window)
            #expect(received.keys.sorted() == stored.keys.sorted(), "\(name): the same series")
            for (series, samples) in stored {
                let got = received[series] ?? []
                #expect(got == samples, "\(name) \(series): \(samples.count) stored, \(got.count) received; first differences: \(zip(samples, got).filter { $0 != $1 }.prefix(3))")
            }
        }
        #expect(vigil.process.log.contains("remote write queue starting"))
        #expect(!vigil.process.log.contains("remote write batch dropped"), "\(vigil.process.log.suffix(2000))")
    }

    /// `oauth2` client credentials against a stand-in authorization server and receiver that
    /// follow RFC 6749 (no real identity provider runs here): the token is fetched once and
    /// reused, a short-lived one is fetched again before it expires, and configured headers
    /// travel with every request.
    @Test func oauth2ClientCredentialsAreFetchedCachedAndRenewed() async throws {
        let port = freePort()
        let standin = try ChildProcess(name: "oauth2", executable: "/usr/bin/python3", arguments: [
            Paths.repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/oauth2_standin.py").path, "\(port)", "vigil", "s3cret", "12",
        ])
        defer { _ = standin }
        #expect(await eventually(timeout: .seconds(10)) { standin.log.contains("listening") })
        let vigil = try await VigilInstance(config: """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: self
                static_configs: [{targets: ['127.0.0.1:0']}]
            remote_write:
              - url: http://127.0.0.1:\(port)/api/v1/write
                name: mimir
                headers: {X-Scope-OrgID: ml-team}
                oauth2:
                  client_id: vigil
                  client_secret: s3cret
                  token_url: http://127.0.0.1:\(port)/token
                  scopes: [metrics.write]
                  endpoint_params: {audience: mimir}
                queue_config: {batch_send_deadline: 1s, min_backoff: 50ms, max_backoff: 500ms}
            """)
        #expect(await eventually(timeout: .seconds(20)) { standin.log.components(separatedBy: "write accepted").count > 5 }, "\(standin.log.suffix(1000))")
        #expect(standin.log.contains("token issued scope=metrics.write audience=mimir"))
        #expect(standin.log.contains("headers_ok=True tenant=ml-team"))
        // Tokens live 12 s and are renewed 10 s early: a few fetches over 8 s, not one per write.
        try await Task.sleep(for: .seconds(8))
        let issued = standin.log.components(separatedBy: "token issued").count - 1
        let writes = standin.log.components(separatedBy: "write accepted").count - 1
        #expect(issued >= 2 && issued < writes, "\(issued) tokens for \(writes) writes")
        #expect(!standin.log.contains("write refused"))
        #expect((await RemoteWriteSenderIntegrationTests.queueMetric(vigil, "prometheus_remote_storage_samples_total", queue: "mimir") ?? 0) > 0)
        #expect(!(try await HTTP.request(vigil.base + "/api/v1/status/config").body.contains("s3cret")), "the secret is never shown")
    }

    /// A receiver that takes a second per request cannot keep up with one shard sending 200
    /// samples at a time while Vigil scrapes node-exporter every second: the queue measures
    /// that and runs more shards (then keeps sending through them).
    @Test func aSlowReceiverMakesTheQueueRunMoreShards() async throws {
        let port = freePort()
        let receiver = try ChildProcess(name: "slow-receiver", executable: "/usr/bin/python3", arguments: [
            Paths.repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/slow_receiver.py").path, "\(port)", "1.0",
        ])
        defer { _ = receiver }
        #expect(await eventually(timeout: .seconds(10)) { receiver.log.contains("listening") })
        let nodePort = freePort()
        let node = try ChildProcess(name: "node-exporter", executable: "/usr/bin/prometheus-node-exporter",
                                    arguments: ["--web.listen-address=127.0.0.1:\(nodePort)"])
        defer { _ = node }
        let vigil = try await VigilInstance(config: """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: node
                static_configs: [{targets: ['127.0.0.1:\(nodePort)']}]
            remote_write:
              - url: http://127.0.0.1:\(port)/api/v1/write
                name: slow
                queue_config: {min_shards: 1, max_shards: 8, max_samples_per_send: 200, batch_send_deadline: 1s}
            """)
        #expect(await eventually(timeout: .seconds(45)) {
            (await Self.queueMetric(vigil, "prometheus_remote_storage_shards", queue: "slow") ?? 0) > 1
        }, "\(vigil.process.log.suffix(1500))")
        #expect(vigil.process.log.contains("remote write resharding"))
        let sent = await Self.queueMetric(vigil, "prometheus_remote_storage_samples_total", queue: "slow") ?? 0
        #expect(await eventually(timeout: .seconds(15)) {
            (await Self.queueMetric(vigil, "prometheus_remote_storage_samples_total", queue: "slow") ?? 0) > sent
        }, "sending goes on after resharding")
    }
}
