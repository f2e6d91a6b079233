import Foundation
import Testing

/// A protobuf push with native histograms, pushed to Debian's Pushgateway (scraped by Debian's
/// Prometheus 2.42 with native histograms on) and to Vigil (native histograms on): Vigil stores
/// the histograms Prometheus stores from the Pushgateway.
@Suite(.serialized) struct PushNativeHistogramIntegrationTests {
    @Test func pushedNativeHistogramsAreStoredAsPrometheusStoresThemFromThePushgateway() async throws {
        let prometheus = try debianPrometheus()
        // One body from the deterministic protobuf target: three native histograms (one a gauge
        // histogram, one with negative buckets and a zero bucket).
        let (target, targetPort) = try await NativeHistogramScrapeIntegrationTests.startTarget()
        defer { _ = target }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let contentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
        for _ in 0..<5 { _ = try await runToolAsync("/usr/bin/curl", ["-sf", "-o", dir + "/body.bin", "http://127.0.0.1:\(targetPort)/metrics"]) }
        let body = try #require(FileManager.default.contents(atPath: dir + "/body.bin"), "no body from the target")
        #expect(body.count > 100)

        let (gateway, gatewayBase, gatewayAddress) = try await startPushgateway()
        defer { _ = gateway }
        let promPort = freePort()
        try """
        global: {scrape_interval: 500ms, scrape_timeout: 500ms}
        scrape_configs:
          - job_name: pushgateway
            honor_labels: true
            static_configs: [{targets: ['\(gatewayAddress)']}]

        """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prom = try ChildProcess(name: "prometheus", executable: prometheus, arguments: [
            "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(promPort)",
            "--enable-feature=native-histograms",
        ])
        defer { _ = prom }
        let pushPort = freePort()
        let vigil = try await VigilInstance(config: "global: {scrape_interval: 1s}\nscrape_configs: []\n",
                                            extraArgs: ["--web.enable-push-api", "--push.listen-address=127.0.0.1:\(pushPort)",
                                                        "--enable-feature=native-histograms"])
        for base in [gatewayBase, "http://127.0.0.1:\(pushPort)"] {
            let pushed = try await runToolAsync("/usr/bin/curl", ["-sf", "-X", "PUT", "-H", "Content-Type: \(contentType)",
                                                                  "--data-binary", "@" + dir + "/body.bin", base + "/metrics/job/training/instance/worker-1"])
            #expect(pushed.status == 0, "push to \(base): \(pushed.output)")
        }
        let promBase = "http://127.0.0.1:\(promPort)"
        var compared = 0
        var stored: [String: [[Double]]] = [:]
        for name in NativeHistogramRemoteWriteIntegrationTests.metrics {
            let query = "\(name){job=\"training\"}"
            var theirs: [[String: Any]] = []
            let scraped = await eventually(timeout: .seconds(60)) {
                theirs = (try? await NativeHistogramSamples.result(base: promBase, query: query)) ?? []
                return theirs.first?["histogram"] != nil
            }
            #expect(scraped, "Prometheus has no histogram for \(query): \(theirs) \(prom.log.suffix(1500))")
            let ours = try await NativeHistogramSamples.result(base: vigil.base, query: query)
            let theirH = (theirs.first?["histogram"] as? [Any])?.last as? [String: Any] ?? [:]
            let ourH = (ours.first?["histogram"] as? [Any])?.last as? [String: Any] ?? [:]
            #expect(ours.count == 1 && theirs.count == 1, "\(query): Prometheus \(theirs), Vigil \(ours)")
            // Bounds agree to the last digits Prometheus' table of schema bounds keeps.
            let (a, b) = (NativeHistogramSamples.bucketLayout(theirH), NativeHistogramSamples.bucketLayout(ourH))
            let sameLayout = a.count == b.count && zip(a, b).allSatisfy { x, y in
                x.count == y.count && zip(x, y).allSatisfy { NativeHistogramRemoteWriteIntegrationTests.close($0, $1) }
            }
            #expect(!theirH.isEmpty && NativeHistogramSamples.histogram(theirH) == NativeHistogramSamples.histogram(ourH) && sameLayout,
                    "\(query): Prometheus \(theirH), Vigil \(ourH)")
            #expect((theirs.first?["metric"] as? [String: String]) == (ours.first?["metric"] as? [String: String]))
            stored[name] = a
            compared += 1
        }
        #expect(compared == 3)

        // The listing the Pushgateway's UI reads gives each native histogram's populated buckets
        // as the query API writes them, [rule, "lower", "upper", "count"] (the Pushgateway's
        // format since 1.8; Debian's 1.5.1 lists no native buckets), here compared with the
        // histograms Prometheus holds.
        let listing = try await HTTP.request("http://127.0.0.1:\(pushPort)/api/v1/metrics")
        let group = ((listing.json as? [String: Any])?["data"] as? [[String: Any]])?.first ?? [:]
        for (name, theirBuckets) in stored {
            let metric = ((group[name] as? [String: Any])?["metrics"] as? [[String: Any]])?.first ?? [:]
            let listed = (metric["buckets"] as? [[Any]] ?? []).map { b in b.map { ($0 as? Int).map(Double.init) ?? NativeHistogramSamples.number($0) } }
            let same = listed.count == theirBuckets.count && zip(listed, theirBuckets).allSatisfy { x, y in
                x.count == y.count && zip(x, y).allSatisfy { NativeHistogramRemoteWriteIntegrationTests.close($0, $1) }
            }
            #expect(!theirBuckets.isEmpty && same, "\(name): listed \(metric), Prometheus holds \(theirBuckets)")
        }
        // Neither holds the classic series of a histogram pushed in native form only.
        for suffix in ["_count", "_sum", "_bucket"] {
            let query = "count({__name__=~\"model_.*\(suffix)\",job=\"training\"})"
            #expect(try await NativeHistogramSamples.result(base: vigil.base, query: query).isEmpty)
            #expect(try await NativeHistogramSamples.result(base: promBase, query: query).isEmpty)
        }
    }
}
