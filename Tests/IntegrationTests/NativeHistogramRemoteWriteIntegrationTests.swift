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
            ((try? await Self.dumpedHistograms(vigil, "model_inference_seconds")) ?? [:]).count >= 60
        }
        #expect(arrived, "Prometheus log:\n\(prom.log.suffix(3000))\nVigil log:\n\(vigil.process.log.suffix(2000))")
        // What Vigil holds now was sent before Prometheus is asked: every sample Vigil has is
        // in Prometheus' head already.
        var compared = 0
        for name in Self.metrics {
            let stored = try await Self.dumpedHistograms(vigil, name)
            let served = try await Self.servedHistograms(port: promPort, name: name)
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
        let drift = try await Self.dumpedHistograms(vigil, "model_score_drift")
        #expect(drift.values.contains { $0.isStale }, "no staleness marker among \(drift.count) drift samples")
        #expect(!prom.log.contains("non-recoverable error"), "\(prom.log.suffix(2000))")
        #expect(!vigil.process.log.contains("rejected"), "\(vigil.process.log.suffix(2000))")
    }

    /// A histogram sample compared by what both sides print exactly: count, sum and each bucket's
    /// count, oldest bucket first (bounds are not compared: Prometheus' schema table and Vigil's
    /// arithmetic may differ in the last place).
    struct Histogram: Equatable, CustomStringConvertible {
        var count: Double
        var sum: Double
        var bucketCounts: [Double]
        var isStale: Bool { sum.isNaN && count == 0 && bucketCounts.isEmpty }
        var description: String { "{count: \(count), sum: \(sum), buckets: \(bucketCounts)}" }
    }

    /// The histogram samples `vigil tsdb dump` prints for one metric, by timestamp. A line is
    /// `{labels} {count:…, sum:…, (lower,upper]:count, …} timestamp`; a staleness marker's sum is NaN.
    static func dumpedHistograms(_ vigil: VigilInstance, _ name: String) async throws -> [Int64: Histogram] {
        let run = try await runToolAsync(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(vigil.dir)/data", "--match", "__name__=\(name)"])
        var out: [Int64: Histogram] = [:]
        for line in run.output.split(separator: "\n") {
            guard let open = line.range(of: "} {count:"), let space = line.lastIndex(of: " "), let t = Int64(line[line.index(after: space)...]) else { continue }
            let body = line[line.index(open.lowerBound, offsetBy: 2)..<space].dropFirst().dropLast()
            var count = 0.0, sum = 0.0, buckets: [Double] = []
            for field in body.components(separatedBy: ", ") {
                guard let colon = field.lastIndex(of: ":") else { continue }
                let value = Double(field[field.index(after: colon)...]) ?? .nan
                if field.hasPrefix("count:") { count = value } else if field.hasPrefix("sum:") { sum = value } else { buckets.append(value) }
            }
            out[t] = Histogram(count: count, sum: sum, bucketCounts: buckets)
        }
        return out
    }

    /// What Prometheus' query API serves for the last hour of one metric, by timestamp.
    static func servedHistograms(port: Int, name: String) async throws -> [Int64: Histogram] {
        let reply = try await HTTP.request("http://127.0.0.1:\(port)/api/v1/query?query=\(name)%5B1h%5D")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any], "\(reply.body.prefix(500))")
        let result = try #require((json["data"] as? [String: Any])?["result"] as? [[String: Any]])
        var out: [Int64: Histogram] = [:]
        for series in result {
            for point in series["histograms"] as? [[Any]] ?? [] {
                guard let t = point[0] as? Double, let h = point[1] as? [String: Any] else { continue }
                func number(_ any: Any?) -> Double { (any as? String).flatMap(Double.init) ?? .nan }
                let buckets = (h["buckets"] as? [[Any]] ?? []).map { number($0.last) }
                out[Int64((t * 1000).rounded())] = Histogram(count: number(h["count"]), sum: number(h["sum"]), bucketCounts: buckets)
            }
        }
        return out
    }
}
