import Foundation
import Testing

/// Vigil where a compose stack had the prom/prometheus and prom/alertmanager containers: the
/// command line written for the Prometheus image, the team's files from deploy/docker, and the
/// Alertmanager's own port, which amtool talks to as to an Alertmanager.
@Suite(.serialized) struct ComposeDropInIntegrationTests {
    /// The `command` of deploy/docker/docker-compose.yml's `prometheus` service.
    static func composeCommand() async throws -> [String] {
        let script = """
            import json, sys, yaml
            print(json.dumps(yaml.safe_load(open(sys.argv[1]))["services"]["prometheus"]["command"]))
            """
        let compose = Paths.repoRoot.appendingPathComponent("deploy/docker/docker-compose.yml").path
        let result = try await runToolAsync("/usr/bin/env", ["python3", "-c", script, compose])
        return (try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String]) ?? []
    }

    @Test func theComposeStackRunsWithVigilStandingInForPrometheusAndAlertmanager() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (api, apiPort) = try await startModelAPI()
        defer { _ = api }
        let port = freePort(), amPort = freePort()
        // The team's files as compose mounts them; the service names compose would resolve
        // become this machine's addresses.
        let docker = Paths.repoRoot.appendingPathComponent("deploy/docker").path
        let config = try String(contentsOfFile: docker + "/prometheus.yml", encoding: .utf8)
            .replacingOccurrences(of: "model-api:8000", with: "127.0.0.1:\(apiPort)")
            .replacingOccurrences(of: "localhost:9090", with: "127.0.0.1:\(port)")
        try FileManager.default.copyItem(atPath: docker + "/alert.rules.yml", toPath: dir + "/alert.rules.yml")
        try FileManager.default.copyItem(atPath: docker + "/alertmanager.yml", toPath: dir + "/alertmanager.yml")

        // The compose command, with the container's paths and addresses mapped to the test's
        // (VigilInstance supplies the config file, storage path and listen address itself).
        let command = try await Self.composeCommand()
        #expect(command.contains { $0.hasPrefix("--web.console.libraries") }, "the compose file uses the Prometheus image's flags")
        #expect(command.contains("--alertmanager.listen-address=0.0.0.0:9093"))
        #expect(command.contains("--push.listen-address=0.0.0.0:9091"))
        let pushPort = freePort()
        let own = ["--config.file", "--storage.tsdb.path", "--web.listen-address", "--web.dashboards-dir", "--alertmanager.listen-address",
                   "--push.listen-address"]
        var args = command.filter { flag in !own.contains { flag.hasPrefix($0 + "=") } }
            .map { $0.replacingOccurrences(of: "/etc/alertmanager/alertmanager.yml", with: dir + "/alertmanager.yml") }
        args += ["--storage.tsdb.retention=3d", "--enable-feature=exemplar-storage,memory-snapshot-on-shutdown",
                 "--web.route-prefix=/", "--alertmanager.listen-address=127.0.0.1:\(amPort)", "--push.listen-address=127.0.0.1:\(pushPort)"]
        let vigil = try await VigilInstance(config: config, extraArgs: args, dir: dir, port: port)

        // Flags that do not apply are named once each in the log, and the run goes on.
        #expect(vigil.process.log.contains("--web.console.libraries and --web.console.templates are ignored"), "\(vigil.process.log.prefix(3000))")
        #expect(vigil.process.log.contains("--enable-feature=exemplar-storage does not apply"))
        #expect(vigil.process.log.contains("--enable-feature=memory-snapshot-on-shutdown does not apply"))
        // --storage.tsdb.retention.time (from the compose file) wins over the deprecated form.
        let flags = try await HTTP.request(vigil.base + "/api/v1/status/flags").body
        #expect(flags.contains(#""storage.tsdb.retention.time":"15d""#), "\(flags)")

        // The team's model API is scraped and their rules are loaded.
        #expect(try await eventually(timeout: .seconds(30)) { try await vigil.health(of: "model-api") == "up" })
        let rules = try await HTTP.request(vigil.base + "/api/v1/rules").body
        #expect(rules.contains("ModelAPIDown") && rules.contains("HighPredictionLatency"))

        // The Alertmanager port answers like an Alertmanager: health, and amtool.
        let amBase = "http://127.0.0.1:\(amPort)"
        #expect(await HTTP.get(amBase + "/-/healthy")?.status == 200)
        let added = try await runToolAsync("/usr/bin/amtool", ["--alertmanager.url=\(amBase)", "alert", "add", "alertname=FromAmtool", "severity=page"])
        #expect(added.status == 0, "\(added.output)")
        let queried = try await runToolAsync("/usr/bin/amtool", ["--alertmanager.url=\(amBase)", "alert", "query"])
        #expect(queried.output.contains("FromAmtool"), "\(queried.output)")
        // A training job pushes to the Pushgateway's port with the official client, as it did
        // to pushgateway:9091, and its metrics are stored.
        let script = "from prometheus_client import CollectorRegistry, Gauge, push_to_gateway\n"
            + "r = CollectorRegistry(); Gauge('training_accuracy', 'Accuracy.', registry=r).set(0.93)\n"
            + "push_to_gateway('127.0.0.1:\(pushPort)', job='iris-training', registry=r)\n"
        let pushed = try await runToolAsync("/usr/bin/env", ["python3", "-c", script])
        #expect(pushed.status == 0, "\(pushed.output)")
        let stored = try await HTTP.request(vigil.base + "/api/v1/query?query=training_accuracy%7Bjob%3D%22iris-training%22%7D").body
        #expect(stored.contains("0.93"), "\(stored)")
        // The same Alertmanager behind both ports.
        let alerts = try await HTTP.request(vigil.base + "/api/v2/alerts").body
        #expect(alerts.contains("FromAmtool"))
    }

    @Test func theDeprecatedRetentionFlagCountsWhenTheNewOneIsAbsent() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--storage.tsdb.retention=3d"])
        let flags = try await HTTP.request(vigil.base + "/api/v1/status/flags").body
        #expect(flags.contains(#""storage.tsdb.retention.time":"3d""#), "\(flags)")
    }
}
