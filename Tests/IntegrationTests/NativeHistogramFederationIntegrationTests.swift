import Foundation
import Testing

/// Debian's Prometheus 2.42 with native histograms on federates from a Vigil that scrapes the
/// protobuf target: it asks for the protobuf format, so the native histograms come across, and
/// every histogram Prometheus then holds is the one Vigil holds at that timestamp (counter and
/// gauge histograms alike), beside the federated numbers. A text reader still gets the numbers
/// only.
@Suite(.serialized) struct NativeHistogramFederationIntegrationTests {
    @Test func aPrometheusWithNativeHistogramsFederatesThemFromVigil() async throws {
        let prometheus = try debianPrometheus()
        let (target, targetPort) = try await NativeHistogramScrapeIntegrationTests.startTarget()
        defer { _ = target }
        let vigil = try await VigilInstance(config: NativeHistogramSamples.prometheusScrapeConfig(targetPort: targetPort),
                                            extraArgs: ["--enable-feature=native-histograms"])
        let ready = await eventually(timeout: .seconds(30)) {
            ((try? await NativeHistogramSamples.served(base: vigil.base, name: "model_batch_queue")) ?? [:]).count >= 3
        }
        try #require(ready, "Vigil log:\n\(vigil.process.log.suffix(2000))")

        // A text reader: numbers only.
        let match = #"{job="model"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let text = try await HTTP.request(vigil.base + "/federate?match%5B%5D=" + match)
        #expect(text.status == 200 && text.body.contains("up{instance=") && !text.body.contains("model_inference_seconds"), "\(text.body.prefix(600))")

        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            global: {scrape_interval: 500ms, scrape_timeout: 500ms}
            scrape_configs:
              - job_name: federate
                honor_labels: true
                metrics_path: /federate
                params: {'match[]': ['{job="model"}']}
                static_configs: [{targets: ['127.0.0.1:\(vigil.port)']}]
            """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let promPort = freePort()
        let prom = try ChildProcess(name: "prometheus-federating", executable: prometheus, arguments: [
            "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(promPort)",
            "--enable-feature=native-histograms",
        ])
        defer { _ = prom }

        var federated: [String: [Int64: NativeHistogramSamples.Histogram]] = [:]
        let names = NativeHistogramScrapeIntegrationTests.metrics
        let arrived = await eventually(timeout: .seconds(60)) {
            for name in names {
                federated[name] = (try? await NativeHistogramSamples.served(port: promPort, name: name + "{job=\"model\"}")) ?? [:]
            }
            return names.allSatisfy { (federated[$0]?.count ?? 0) >= 5 }
        }
        #expect(arrived, "Prometheus holds \(federated.mapValues(\.count)) federated histograms\n\(prom.log.suffix(1500))")
        for name in names {
            let ours = try await NativeHistogramSamples.served(base: vigil.base, name: name)
            for (t, theirs) in federated[name] ?? [:] {
                #expect(ours[t] == theirs, "\(name) at \(t): Prometheus \(theirs), Vigil \(String(describing: ours[t]))")
            }
        }
        // The numbers come across too: Vigil's `up` of the target, federated. Over the last minute,
        // not at the last scrape only: on a loaded machine one of Vigil's scrapes of the target can
        // time out (an honest 0 that is federated as well).
        let query = "max_over_time(up{job=\"model\"}[1m])".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let up = try await HTTP.request("http://127.0.0.1:\(promPort)/api/v1/query?query=" + query).body
        #expect(up.contains(#","1"]"#), "the numbers come across too: \(up)")
    }
}
