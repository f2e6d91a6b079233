import Foundation
import Testing

/// Debian's Prometheus 2.42, with native histograms enabled, scrapes a protobuf target exposing
/// native histograms (a counter with negative buckets and a reset, one that goes stale and comes
/// back, a gauge) and remote-writes them (`send_native_histograms`) into Vigil, which stores
/// every one: Vigil's data directory then holds, for every timestamp, the count, sum and bucket
/// counts Prometheus' own query API serves.
@Suite(.serialized) struct NativeHistogramRemoteWriteIntegrationTests {
    static let metrics = ["model_inference_seconds", "model_score_drift", "model_batch_queue"]

    @Test func prometheusRemoteWritesNativeHistogramsIntoVigil() async throws {
        let prometheus = try #require(["/usr/bin/prometheus", "/usr/sbin/prometheus"].first { FileManager.default.fileExists(atPath: $0) },
                                      "Debian's prometheus is not installed: run scripts/install-test-deps.sh")
        let targetPort = freePort()
        let target = try ChildProcess(name: "native-histogram-target", executable: "/usr/bin/env", arguments: [
            "python3", Paths.repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/native_histogram_target.py").path,
            "--port", "\(targetPort)", "--proto-dir", Paths.repoRoot.appendingPathComponent("Protos").path,
            "--reset-after", "40", "--vanish-from", "20", "--vanish-until", "25",
        ])
        defer { _ = target }
        try #require(await eventually(timeout: .seconds(30)) { target.log.contains("ready") }, "the target did not start: \(target.log)")
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.enable-remote-write-receiver"])

        let promDir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: promDir) }
        let promPort = freePort()
        try """
        global:
          scrape_interval: 200ms
          scrape_timeout: 200ms
        scrape_configs:
          - job_name: model
            static_configs:
              - targets: ['127.0.0.1:\(targetPort)']
        remote_write:
          - url: \(vigil.base)/api/v1/write
            send_native_histograms: true
            queue_config:
              batch_send_deadline: 500ms
              min_backoff: 100ms
              max_backoff: 1s

        """.write(toFile: promDir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prom = try ChildProcess(name: "prometheus", executable: prometheus, arguments: [
            "--config.file=\(promDir)/prometheus.yml", "--storage.tsdb.path=\(promDir)/data",
            "--web.listen-address=127.0.0.1:\(promPort)", "--enable-feature=native-histograms",
        ])
        defer { _ = prom }

        // Past the reset (40 scrapes) and the drift histogram's return (25).
        let arrived = await eventually(timeout: .seconds(90)) {
            ((try? await NativeHistogramSamples.dumped(vigil, "model_inference_seconds")) ?? [:]).count >= 60
        }
        #expect(arrived, "Prometheus log:\n\(prom.log.suffix(3000))\nVigil log:\n\(vigil.process.log.suffix(2000))")
        // What Vigil holds now was sent before Prometheus is asked: every sample Vigil has is
        // in Prometheus' head already.
        var compared = 0
        for name in Self.metrics {
            let stored = try await NativeHistogramSamples.dumped(vigil, name)
            let served = try await NativeHistogramSamples.served(port: promPort, name: name)
            #expect(stored.count >= 30, "\(name): \(stored.count) histograms stored")
            for (t, histogram) in stored.sorted(by: { $0.key < $1.key }) where !histogram.isStale {
                #expect(served[t] == histogram, "\(name) at \(t): Vigil stored \(histogram), Prometheus serves \(served[t].map { "\($0)" } ?? "nothing")")
                compared += 1
            }
            // Nothing Prometheus scraped before the newest stored sample is missing in Vigil.
            let newest = stored.keys.max() ?? 0
            let missing = served.keys.filter { $0 <= newest && stored[$0] == nil }
            #expect(missing.isEmpty, "\(name): \(missing.count) samples Prometheus holds were not stored")
        }
        #expect(compared >= 90)
        // The drift histogram went stale while it vanished: Prometheus sends the staleness marker
        // as a histogram, and Vigil stores it as one.
        let drift = try await NativeHistogramSamples.dumped(vigil, "model_score_drift")
        #expect(drift.values.contains { $0.isStale }, "no staleness marker among \(drift.count) drift samples")
        #expect(!prom.log.contains("non-recoverable error"), "\(prom.log.suffix(2000))")
        #expect(!vigil.process.log.contains("rejected"), "\(vigil.process.log.suffix(2000))")
    }

    /// The other way: Vigil (with `--enable-feature=native-histograms`) scrapes the protobuf
    /// target and remote-writes what it stores, native histograms included
    /// (`send_native_histograms: true`), into Debian's Prometheus 2.42 (remote-write receiver,
    /// native histograms on); every histogram Prometheus then serves is the one Vigil stored at
    /// that timestamp.
    @Test func vigilRemoteWritesTheNativeHistogramsItScrapes() async throws {
        let prometheus = try #require(["/usr/bin/prometheus", "/usr/sbin/prometheus"].first { FileManager.default.fileExists(atPath: $0) },
                                      "Debian's prometheus is not installed: run scripts/install-test-deps.sh")
        let (target, targetPort) = try await NativeHistogramScrapeIntegrationTests.startTarget()
        defer { _ = target }
        let promDir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: promDir) }
        let promPort = freePort()
        try "scrape_configs: []\n".write(toFile: promDir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prom = try ChildProcess(name: "prometheus-receiver", executable: prometheus, arguments: [
            "--config.file=\(promDir)/prometheus.yml", "--storage.tsdb.path=\(promDir)/data", "--web.listen-address=127.0.0.1:\(promPort)",
            "--web.enable-remote-write-receiver", "--enable-feature=native-histograms",
        ])
        defer { _ = prom }
        #expect(await eventually(timeout: .seconds(30)) { await HTTP.get("http://127.0.0.1:\(promPort)/-/ready")?.status == 200 })
        let vigil = try await VigilInstance(config: """
            global:
              scrape_interval: 250ms
              scrape_timeout: 250ms
            scrape_configs:
              - job_name: model
                static_configs: [{targets: ['127.0.0.1:\(targetPort)']}]
            remote_write:
              - url: http://127.0.0.1:\(promPort)/api/v1/write
                send_native_histograms: true
                queue_config: {batch_send_deadline: 500ms, min_backoff: 50ms, max_backoff: 1s}

            """, extraArgs: ["--enable-feature=native-histograms"])

        let arrived = await eventually(timeout: .seconds(90)) {
            ((try? await NativeHistogramSamples.served(port: promPort, name: "model_inference_seconds")) ?? [:]).count >= 60
        }
        #expect(arrived, "Vigil log:\n\(vigil.process.log.suffix(2000))\nPrometheus log:\n\(prom.log.suffix(2000))")
        var compared = 0
        for name in Self.metrics {
            let served = try await NativeHistogramSamples.served(port: promPort, name: name)
            let stored = try await NativeHistogramSamples.dumped(vigil, name)
            #expect(served.count >= 30, "\(name): Prometheus holds \(served.count) histograms")
            for (t, histogram) in served.sorted(by: { $0.key < $1.key }) {
                #expect(stored[t] == histogram, "\(name) at \(t): Prometheus received \(histogram), Vigil stored \(stored[t].map { "\($0)" } ?? "nothing")")
                compared += 1
            }
        }
        #expect(compared >= 90)
        #expect(!vigil.process.log.contains("remote write batch dropped"), "\(vigil.process.log.suffix(2000))")
    }
}
