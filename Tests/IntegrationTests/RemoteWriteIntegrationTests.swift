import Foundation
import Testing

/// A real Prometheus (Debian's package) remote-writes into Vigil.
@Suite(.serialized) struct RemoteWriteIntegrationTests {
    @Test func realPrometheusRemoteWritesIntoVigil() async throws {
        let prometheus = try #require(["/usr/bin/prometheus", "/usr/sbin/prometheus"].first { FileManager.default.fileExists(atPath: $0) },
                                      "Debian's prometheus is not installed: run scripts/install-test-deps.sh")
        let (api, apiPort) = try await startModelAPI()
        defer { _ = api }
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.enable-remote-write-receiver"])

        let promDir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: promDir) }
        let promConfig = """
        global:
          scrape_interval: 1s
          external_labels:
            sender: prometheus
        scrape_configs:
          - job_name: model-api
            static_configs:
              - targets: ['127.0.0.1:\(apiPort)']
        remote_write:
          - url: \(vigil.base)/api/v1/write
            queue_config:
              batch_send_deadline: 1s
              min_backoff: 100ms
              max_backoff: 1s

        """
        try promConfig.write(toFile: promDir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prom = try ChildProcess(name: "prometheus", executable: prometheus, arguments: [
            "--config.file=\(promDir)/prometheus.yml", "--storage.tsdb.path=\(promDir)/data",
            "--web.listen-address=127.0.0.1:\(freePort())",
        ])
        defer { _ = prom }

        let arrived = await eventually(timeout: .seconds(90)) {
            let samples = (try? vigil.dump(["job=model-api", "__name__=python_request_operations_total"])) ?? []
            return samples.count >= 3
        }
        #expect(arrived, "Prometheus log:\n\(prom.log.suffix(3000))\nVigil log:\n\(vigil.process.log.suffix(2000))")
        let samples = try vigil.dump(["job=model-api"])
        #expect(samples.allSatisfy { $0.labels["sender"] == "prometheus" }, "external labels travel with remote write")
        #expect(samples.contains { $0.name == "up" && $0.number == 1 })
        let values = samples.filter { $0.name == "python_request_operations_total" }.compactMap(\.number)
        #expect(values == values.sorted())
        #expect(!prom.log.contains("non-recoverable error"), "\(prom.log.suffix(2000))")
    }

    @Test func receiverIsOffUnlessEnabled() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n")
        let reply = try await HTTP.request(vigil.base + "/api/v1/write", method: "POST")
        #expect(reply.status == 404)
        #expect(reply.body.contains("--web.enable-remote-write-receiver"))
    }
}
