import Foundation
import Testing

/// Vigil and Debian's Prometheus 2.42, both started with `--enable-feature=native-histograms` and
/// the same configuration, each scrape their own copy of a protobuf target exposing native
/// histograms (a counter with negative buckets and a reset, one that vanishes for a few scrapes, a
/// gauge). Both copies expose the same sequence of histograms, one per scrape, so every histogram
/// Vigil stores must be one Prometheus stores. (Matched by content,
/// not position: on a loaded machine either side may miss a scrape, which shifts positions.)
@Suite(.serialized) struct NativeHistogramScrapeIntegrationTests {
    static let metrics = ["model_inference_seconds", "model_score_drift", "model_batch_queue"]

    static func startTarget() async throws -> (ChildProcess, port: Int) {
        let port = freePort()
        let target = try ChildProcess(name: "native-histogram-target", executable: "/usr/bin/env", arguments: [
            "python3", Paths.repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/native_histogram_target.py").path,
            "--port", "\(port)", "--proto-dir", Paths.repoRoot.appendingPathComponent("Protos").path,
            "--reset-after", "40", "--vanish-from", "20", "--vanish-until", "25",
        ])
        try #require(await eventually(timeout: .seconds(30)) { target.log.contains("ready") }, "the target did not start: \(target.log)")
        return (target, port)
    }

    @Test func vigilScrapesNativeHistogramsAsPrometheusDoes() async throws {
        let prometheus = try debianPrometheus()
        let (promTarget, promTargetPort) = try await Self.startTarget()
        let (vigilTarget, vigilTargetPort) = try await Self.startTarget()
        defer { _ = (promTarget, vigilTarget) }
        let scrape = "global:\n  scrape_interval: 300ms\n  scrape_timeout: 300ms\nscrape_configs:\n  - job_name: model\n"
        // The flag alone makes the job negotiate protobuf, as it does in Prometheus 2.
        let vigil = try await VigilInstance(config: scrape + "    static_configs:\n      - targets: ['127.0.0.1:\(vigilTargetPort)']\n",
                                            extraArgs: ["--enable-feature=native-histograms"])
        let promDir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: promDir) }
        let promPort = freePort()
        try (scrape + "    static_configs:\n      - targets: ['127.0.0.1:\(promTargetPort)']\n")
            .write(toFile: promDir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prom = try ChildProcess(name: "prometheus", executable: prometheus, arguments: [
            "--config.file=\(promDir)/prometheus.yml", "--storage.tsdb.path=\(promDir)/data",
            "--web.listen-address=127.0.0.1:\(promPort)", "--enable-feature=native-histograms",
        ])
        defer { _ = prom }

        // Past the drift histogram's return (scrape 25) and the reset (40) on both sides.
        var stored: [String: [NativeHistogramSamples.Histogram]] = [:]
        var served: [String: [NativeHistogramSamples.Histogram]] = [:]
        let enough = await eventually(timeout: .seconds(90)) {
            for name in Self.metrics {
                stored[name] = ((try? await NativeHistogramSamples.dumped(vigil, name)) ?? [:]).sorted { $0.key < $1.key }.map(\.value)
                served[name] = ((try? await NativeHistogramSamples.served(port: promPort, name: name)) ?? [:]).sorted { $0.key < $1.key }.map(\.value)
            }
            return Self.metrics.allSatisfy { (stored[$0]?.count ?? 0) >= 50 && (served[$0]?.count ?? 0) >= 50 }
        }
        #expect(enough, "Vigil: \(stored.mapValues(\.count)), Prometheus: \(served.mapValues(\.count))\nVigil log:\n\(vigil.process.log.suffix(2000))")
        // A scrape Prometheus failed (a timeout on a loaded machine) still used up a histogram of
        // its target's sequence, which Prometheus then never holds: that many may be missing.
        let promUp = try await HTTP.request("http://127.0.0.1:\(promPort)/api/v1/query?query=up%5B1h%5D")
        let promFailures = promUp.body.components(separatedBy: "\"0\"]").count - 1
        var matched = 0
        for name in Self.metrics {
            // Prometheus' API leaves staleness markers out; Vigil's dump shows them.
            let vigilSamples = (stored[name] ?? []).filter { !$0.isStale }
            let promSamples = served[name] ?? []
            let known = Set(promSamples)
            // Vigil's first samples, as many as Prometheus has (less a margin for scrapes missed
            // on either side), are all among Prometheus'.
            let compared = vigilSamples.prefix(max(0, min(vigilSamples.count, promSamples.count) - 3))
            let missing = compared.filter { !known.contains($0) }
            #expect(missing.count <= promFailures, "\(name): \(missing.count) of \(compared.count) histograms Vigil stored are not Prometheus' (which failed \(promFailures) scrapes): \(missing.prefix(2))\nPrometheus: \(promSamples.prefix(3))")
            matched += compared.count - missing.count
        }
        #expect(matched >= 140)
        // The drift histogram vanished for five scrapes: Vigil marked it stale with a histogram
        // staleness marker.
        #expect(stored["model_score_drift"]?.contains { $0.isStale } == true)
        // Only the native form is stored: no classic series beside it.
        let classic = try await runToolAsync(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(vigil.dir)/data", "--match", "__name__=model_inference_seconds_count"])
        #expect(classic.output.isEmpty, "\(classic.output.prefix(300))")
        let up = try vigil.dump(["__name__=up"])
        #expect(up.contains { $0.number == 1 })
        #expect(!vigil.process.log.contains("native-histograms does not apply"))
    }
}
