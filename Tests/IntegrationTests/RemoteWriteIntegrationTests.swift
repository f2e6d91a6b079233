import Foundation
import Testing

/// A real Prometheus (Debian's package) remote-writes into Vigil.
@Suite(.serialized) struct RemoteWriteIntegrationTests {
    @Test func realPrometheusRemoteWritesIntoVigil() async throws {
        let prometheus = try debianPrometheus()
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

/// Remote write 2.0, from a stand-in sender that encodes the 2.0 specification's messages by
/// hand (no real 2.0 sender runs here; see `Support/remote_write_v2_sender.py`).
@Suite(.serialized) struct RemoteWriteV2IntegrationTests {
    @Test func aRemoteWrite2SenderIsStoredAndToldWhatWasWritten() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: [
            "--web.enable-remote-write-receiver", "--enable-feature=created-timestamp-zero-ingestion",
        ])
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let script = Paths.repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/remote_write_v2_sender.py").path
        let run = try await runToolAsync("/usr/bin/env", ["python3", script, "\(vigil.port)", "\(now)"])
        #expect(run.status == 0, "\(run.output)")
        let replies = run.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        try #require(replies.count == 3, "\(run.output)")

        #expect(replies[0]["status"] as? Int == 204)
        #expect(replies[0]["samples"] as? String == "4", "three counter samples and one gauge sample")
        #expect(replies[0]["histograms"] as? String == "0")
        #expect(replies[0]["exemplars"] as? String == "0")
        #expect(replies[1]["status"] as? Int == 204, "\(replies[1])")
        #expect(replies[1]["samples"] as? String == "1")
        #expect(replies[1]["histograms"] as? String == "1")
        #expect(replies[2]["status"] as? Int == 415)

        let steps = try vigil.dump(["__name__=training_steps_total"])
        #expect(steps.map(\.t) == [now - 60_000, now - 30_000, now - 15_000, now], "the created timestamp adds a zero first")
        #expect(steps.map { Double($0.value) } == [0, 10, 25, 40])
        #expect(steps.first?.labels["run"] == "r1")
        #expect(try vigil.dump(["__name__=training_epoch"]).count == 1)
        let histogram = try await runToolAsync(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(vigil.dir)/data", "--match", "__name__=batch_duration_seconds"])
        #expect(histogram.output.contains("{count:4, sum:1.5} \(now)"), "\(histogram.output)")

        let metadata = try await HTTP.request(vigil.base + "/api/v1/metadata?metric=training_steps_total")
        #expect(metadata.body.contains(#""type":"counter","help":"Optimiser steps taken.""#), "\(metadata.body)")
        let loss = try await HTTP.request(vigil.base + "/api/v1/metadata?metric=training_loss")
        #expect(loss.body.contains(#""unit":"ratio""#), "\(loss.body)")
    }
}
