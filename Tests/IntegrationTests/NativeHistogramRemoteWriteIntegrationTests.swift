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
        let prometheus = try debianPrometheus()
        let (target, targetPort) = try await NativeHistogramScrapeIntegrationTests.startTarget()
        defer { _ = target }
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.enable-remote-write-receiver"])

        let promDir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: promDir) }
        let promPort = freePort()
        try (NativeHistogramSamples.prometheusScrapeConfig(targetPort: targetPort) + """
        remote_write:
          - url: \(vigil.base)/api/v1/write
            send_native_histograms: true
            queue_config:
              batch_send_deadline: 500ms
              min_backoff: 100ms
              max_backoff: 1s

        """).write(toFile: promDir + "/prometheus.yml", atomically: true, encoding: .utf8)
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

        // Both now hold the same samples: PromQL over them answers the same, in the same JSON.
        let newest = try await NativeHistogramSamples.dumped(vigil, "model_inference_seconds").keys.max() ?? 0
        try await Self.expectSameAnswers(prometheus: "http://127.0.0.1:\(promPort)", vigil: vigil.base, at: Double(newest - 3_000) / 1000)
    }

    /// Queries over native histograms that Prometheus 2.42 and Prometheus 3 answer alike, asked of
    /// both servers at one time: the histograms themselves (every bucket's boundary rule, bounds
    /// and count, in instant and range results), sums and counts across series, and the functions
    /// that read them. Left out, because Prometheus 3 changed them and Vigil answers as
    /// Prometheus 3 does (its test scripts check those answers): rates, increases and deltas of
    /// histograms (2.42 did not extrapolate them to the window's edges), histograms multiplied by
    /// numbers or subtracted from each other (2.42 had no such operators), and histogram_quantile
    /// (3 interpolates exponentially within a bucket).
    static func expectSameAnswers(prometheus: String, vigil: String, at time: Double) async throws {
        for name in metrics {
            let theirs = try await NativeHistogramSamples.served(base: prometheus, name: name)
            let ours = try await NativeHistogramSamples.served(base: vigil, name: name)
            // Samples keep arriving while the two are asked: up to the newest both hold, they serve the same.
            let newest = min(ours.keys.max() ?? .min, theirs.keys.max() ?? .min)
            #expect(ours.count >= 30 && ours.filter { $0.key <= newest } == theirs.filter { $0.key <= newest },
                    "\(name)[1h]: Prometheus serves \(theirs.count) histograms, Vigil \(ours.count)")
        }
        let queries = [
            "model_inference_seconds", "model_batch_queue", "sum(model_inference_seconds)", "sum by (job) (model_batch_queue)",
            "count(model_inference_seconds)", "histogram_count(model_inference_seconds)", "histogram_sum(model_batch_queue)",
            "histogram_fraction(0, 0.25, model_inference_seconds)", "histogram_count(model_score_drift) / histogram_count(model_inference_seconds)",
        ]
        var compared = 0
        for query in queries {
            let theirs = try await NativeHistogramSamples.result(base: prometheus, query: query, time: time)
            let ours = try await NativeHistogramSamples.result(base: vigil, query: query, time: time)
            func key(_ series: [String: Any]) -> String {
                ((series["metric"] as? [String: String]) ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            }
            let ourByKey = Dictionary(ours.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
            #expect(theirs.count == ours.count && !theirs.isEmpty, "\(query): Prometheus \(theirs), Vigil \(ours)")
            for series in theirs {
                let k = key(series)
                guard let mine = ourByKey[k] else {
                    Issue.record("\(query): Vigil has no series {\(k)}; it has \(ourByKey.keys.sorted())")
                    continue
                }
                if let h = series["histogram"] as? [Any], let theirH = h.last as? [String: Any] {
                    let myH = try #require((mine["histogram"] as? [Any])?.last as? [String: Any], "\(query) {\(k)}: Vigil answered \(mine)")
                    let (a, b) = (NativeHistogramSamples.bucketLayout(theirH), NativeHistogramSamples.bucketLayout(myH))
                    let sameBuckets = a.count == b.count && zip(a, b).allSatisfy { x, y in x.count == y.count && zip(x, y).allSatisfy { close($0, $1) } }
                    #expect(close(NativeHistogramSamples.number(theirH["count"]), NativeHistogramSamples.number(myH["count"]))
                            && close(NativeHistogramSamples.number(theirH["sum"]), NativeHistogramSamples.number(myH["sum"])) && sameBuckets,
                            "\(query) {\(k)}: Prometheus \(theirH), Vigil \(myH)")
                } else {
                    let theirV = NativeHistogramSamples.number((series["value"] as? [Any])?.last)
                    let myV = NativeHistogramSamples.number((mine["value"] as? [Any])?.last)
                    #expect(close(theirV, myV), "\(query) {\(k)}: Prometheus \(theirV), Vigil \(myV)")
                }
                compared += 1
            }
        }
        #expect(compared >= queries.count)
    }

    /// Equal within a millionth (relative), NaN equal to NaN.
    static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        return a == b || abs(a - b) <= 1e-6 * max(abs(a), abs(b))
    }

    /// The other way: Vigil (with `--enable-feature=native-histograms`) scrapes the protobuf
    /// target and remote-writes what it stores, native histograms included
    /// (`send_native_histograms: true`), into Debian's Prometheus 2.42 (remote-write receiver,
    /// native histograms on); every histogram Prometheus then serves is the one Vigil stored at
    /// that timestamp.
    @Test func vigilRemoteWritesTheNativeHistogramsItScrapes() async throws {
        let prometheus = try debianPrometheus()
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
