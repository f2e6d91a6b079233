import Foundation
import Testing

/// Vigil started on the data directory of a Prometheus that scraped native histograms (all of
/// them still in its WAL: no block was cut) serves every histogram sample Prometheus served.
@Suite(.serialized) struct PrometheusHistogramWALIntegrationTests {
    @Test func vigilImportsTheNativeHistogramsInPrometheusWAL() async throws {
        let prometheus = try debianPrometheus()
        let (target, targetPort) = try await NativeHistogramScrapeIntegrationTests.startTarget()
        defer { _ = target }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let promPort = freePort()
        try NativeHistogramSamples.prometheusScrapeConfig(targetPort: targetPort).write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prom = try ChildProcess(name: "prometheus", executable: prometheus, arguments: [
            "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/data",
            "--web.listen-address=127.0.0.1:\(promPort)", "--enable-feature=native-histograms",
        ])
        // Past the reset (40 scrapes) and the drift histogram's return (25).
        let scraped = await eventually(timeout: .seconds(90)) {
            ((try? await NativeHistogramSamples.served(port: promPort, name: "model_inference_seconds")) ?? [:]).count >= 60
        }
        try #require(scraped, "\(prom.log.suffix(2000))")
        prom.signal(SIGTERM)
        _ = await prom.waitForExit()

        // The same directory, served by Prometheus without scraping (nothing changes), then by Vigil.
        try "scrape_configs: []\n".write(toFile: dir + "/idle.yml", atomically: true, encoding: .utf8)
        let idlePort = freePort()
        let idle = try ChildProcess(name: "prometheus", executable: prometheus, arguments: [
            "--config.file=\(dir)/idle.yml", "--storage.tsdb.path=\(dir)/data",
            "--web.listen-address=127.0.0.1:\(idlePort)", "--enable-feature=native-histograms",
        ])
        try #require(await eventually(timeout: .seconds(60)) { await HTTP.get("http://127.0.0.1:\(idlePort)/-/ready")?.status == 200 },
                     "\(idle.log.suffix(2000))")
        var expected: [String: [Int64: NativeHistogramSamples.Histogram]] = [:]
        for name in NativeHistogramRemoteWriteIntegrationTests.metrics {
            expected[name] = try await NativeHistogramSamples.served(port: idlePort, name: name)
        }
        idle.signal(SIGTERM)
        _ = await idle.waitForExit()

        let vigil = try await VigilInstance(config: "scrape_configs: []\n", dir: dir)
        var compared = 0
        for name in NativeHistogramRemoteWriteIntegrationTests.metrics {
            let want = expected[name] ?? [:]
            let got = try await NativeHistogramSamples.served(base: vigil.base, name: name)
            #expect(want.count >= 30, "\(name): Prometheus serves \(want.count) histograms")
            for (t, histogram) in want.sorted(by: { $0.key < $1.key }) {
                #expect(got[t] == histogram, "\(name) at \(t): Prometheus serves \(histogram), Vigil \(got[t].map { "\($0)" } ?? "nothing")")
                compared += 1
            }
            #expect(got.count == want.count, "\(name): Vigil serves \(got.count) histograms, Prometheus \(want.count)")
        }
        #expect(compared >= 90)
        #expect(vigil.process.log.contains("imported Prometheus' WAL"), "\(vigil.process.log.suffix(2000))")
        #expect(!vigil.process.log.contains("does not decode"), "\(vigil.process.log.suffix(2000))")
    }
}
