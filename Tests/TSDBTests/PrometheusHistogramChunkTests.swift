import Foundation
import MetricModel
import Testing
@testable import TSDB

/// Native histogram chunks as the real Prometheus writes them: Debian's Prometheus 2.42 with
/// `--enable-feature=native-histograms` scrapes a protobuf target with three native histograms
/// (counter with a reset, counter around zero with negative buckets that vanishes for ten scrapes,
/// gauge) every 100 ms and cuts 20-second blocks; Vigil decodes every histogram chunk of those
/// blocks to what Prometheus' query API serves for the same samples (staleness markers aside,
/// which the API does not serve), and re-encodes each chunk to the same bytes.
@Suite(.serialized, .enabled(if: PrometheusTools.canRunHistogramTarget, "needs prometheus and protoc (scripts/install-test-deps.sh)"))
struct PrometheusHistogramChunkTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let metrics = ["model_inference_seconds", "model_score_drift", "model_batch_queue"]

    @Test func chunksPrometheusWritesDecodeToWhatItServesAndReencodeBitForBit() async throws {
        let dir = TempDirectory()
        let targetPort = LocalPort.free(), promPort = LocalPort.free()
        // The Python with the protobuf runtime (scripts/install-test-deps.sh installs it there).
        let target = try LocalProcess("/usr/bin/env", ["python3", Self.repository + "/Tests/IntegrationTests/Support/native_histogram_target.py",
                                                           "--port", "\(targetPort)", "--proto-dir", Self.repository + "/Protos", "--reset-after", "120",
                                                           "--vanish-from", "50", "--vanish-until", "60"],
                                      log: dir.path + "/target.log")
        defer { target.stop() }
        let started = Date()
        while !target.logTail.contains("ready"), Date().timeIntervalSince(started) < 30 { try await Task.sleep(for: .milliseconds(100)) }
        try #require(target.logTail.contains("ready"), "the target did not start: \(target.logTail)")
        try """
        global:
          scrape_interval: 100ms
          scrape_timeout: 100ms
        scrape_configs:
          - job_name: model
            static_configs:
              - targets: ['127.0.0.1:\(targetPort)']
        """.write(toFile: dir.path + "/prometheus.yml", atomically: true, encoding: .utf8)
        let data = dir.path + "/data"
        let prometheus = try LocalProcess(PrometheusTools.prometheus, [
            "--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(data)", "--web.listen-address=127.0.0.1:\(promPort)",
            "--enable-feature=native-histograms",
            // Short blocks so the test sees Prometheus compact its head (a hidden flag meant for tests).
            "--storage.tsdb.min-block-duration=20s", "--storage.tsdb.max-block-duration=20s",
        ], log: dir.path + "/prometheus.log")
        defer { prometheus.stop() }

        var blockDirectories: [String] = []
        let deadline = Date().addingTimeInterval(150)
        while blockDirectories.count < 2, Date() < deadline {
            try await Task.sleep(for: .seconds(1))
            blockDirectories = ((try? FileManager.default.contentsOfDirectory(atPath: data)) ?? [])
                .filter { FileManager.default.fileExists(atPath: data + "/" + $0 + "/meta.json") }.sorted().map { data + "/" + $0 }
        }
        try #require(blockDirectories.count >= 2, "Prometheus wrote no two blocks: \(prometheus.logTail)")
        let blocks = try blockDirectories.map { try Block(directory: $0) }
        let minTime = try #require(blocks.map(\.minTime).min()), end = try #require(blocks.map(\.maxTime).max()) - 1

        var compared = 0
        var staleMarkers: [String: Int] = [:]
        for name in Self.metrics {
            // What Prometheus serves for every sample in the blocks' range ([end - range, end]).
            let served = try await Self.servedHistograms(port: promPort, query: "\(name)[\(end - minTime)ms]", time: end)
            #expect(served.count > 150, "\(name): \(served.count) samples served")
            let matcher = try LabelMatcher(.equal, "__name__", name)
            var decoded: [Int64: NativeHistogram] = [:]
            for block in blocks {
                for series in block.select([matcher], mint: .min, maxt: .max, sorted: true) {
                    // The API serves no staleness markers; they are counted below.
                    for s in series.histogramSamples() {
                        if StaleNaN.isStale(s.histogram.sum) { staleMarkers[name, default: 0] += 1 } else { decoded[s.t] = s.histogram }
                    }
                }
            }
            #expect(decoded.count == served.count, "\(name): Vigil decoded \(decoded.count) samples, Prometheus serves \(served.count)")
            for (t, expected) in served.sorted(by: { $0.key < $1.key }) {
                guard let h = decoded[t] else {
                    Issue.record("\(name) at \(t): not decoded")
                    continue
                }
                #expect(ServedHistogram(h) == expected, "\(name) at \(t)")
                compared += 1
            }
        }
        #expect(compared > 450)
        // The drift histogram vanished from ten scrapes: Prometheus wrote a histogram staleness
        // marker into its chunk (re-encoded bit for bit below like every other sample).
        #expect(staleMarkers["model_score_drift", default: 0] >= 1, "stale markers: \(staleMarkers)")

        // Every histogram chunk, re-encoded from its decoded samples, is the bytes Prometheus wrote.
        var headers: [HistogramCounterResetHint: Int] = [:]
        var chunkCount = 0, negativeBuckets = false
        for block in blocks {
            for id in block.index.candidates([try LabelMatcher(.regexMatch, "__name__", "model_.*")]) {
                let entry = try #require(block.index.series(id))
                for meta in entry.chunks {
                    let (encoding, bytes) = try #require(block.chunkFiles.chunk(meta.ref))
                    #expect(encoding == HistogramChunk.encoding)
                    let original = Array(bytes)
                    let parsed = original.withUnsafeBytes { HistogramChunk(prometheusData: $0, minTime: meta.minTime, maxTime: meta.maxTime) }
                    let chunk = try #require(parsed)
                    let samples = try #require(chunk.histograms(), "\(entry.labels) chunk at \(meta.minTime) does not decode")
                    #expect(samples.count == chunk.count && samples.first?.t == meta.minTime && samples.last?.t == meta.maxTime)
                    var rebuilt = HistogramChunk()
                    for s in samples { #expect(rebuilt.append(t: s.t, s.histogram) == .appended) }
                    #expect(rebuilt.prometheusData == original, "\(entry.labels) chunk at \(meta.minTime) re-encodes differently")
                    headers[chunk.header, default: 0] += 1
                    chunkCount += 1
                    if samples.contains(where: { !$0.histogram.negativeSpans.isEmpty }) { negativeBuckets = true }
                }
            }
        }
        #expect(chunkCount >= 6)
        #expect(negativeBuckets)
        // The reset after 120 scrapes opens a chunk marked as a reset; the gauge histogram's chunks
        // are marked as gauges.
        #expect(headers[.counterReset, default: 0] >= 1, "chunk headers: \(headers)")
        #expect(headers[.gauge, default: 0] >= 1, "chunk headers: \(headers)")
    }

    /// The other way: Vigil's head takes native histograms (a counter at schema 3 with negative
    /// buckets, a zero bucket and a reset, a gauge at schema 0), cuts two-hour blocks, and
    /// Prometheus 2.42 started on a directory holding those blocks serves every sample as Vigil
    /// decodes it. (Float histogram chunks, encoding 3, are newer than Prometheus 2.42.)
    @Test func prometheusServesTheHistogramBlocksVigilCutsFromItsHead() async throws {
        let dir = TempDirectory()
        let vigilData = dir.path + "/vigil", promData = dir.path + "/prometheus"
        let hour: Int64 = 3_600_000
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let start = (now - 7 * hour) / (2 * hour) * (2 * hour)
        let counter = Labels(["__name__": "model_inference_seconds", "job": "model-api"])
        let gauge = Labels(["__name__": "model_batch_queue", "job": "model-api"])
        do {
            let db = try Database(directory: vigilData)
            var app = db.head.appender()
            for step in 0..<(6 * 240) {
                let t = start + Int64(step) * 15_000 + Int64(step % 5) * 7
                // Observations accumulate; after 500 scrapes the process restarts.
                let n = Int64(step < 500 ? step : step - 500) + 1
                let positive: [Int64] = [n, 2 * n + n / 3, n / 2, n]
                let negative: [Int64] = [n / 3, n / 4]
                let zero = UInt64(n / 5)
                let observed: Int64 = positive.reduce(0, +) + negative.reduce(0, +)
                let total = UInt64(observed) + zero
                let h = NativeHistogram(schema: 3, zeroThreshold: 0.001, zeroCount: zero, count: total, sum: Double(n) * 0.173,
                                        positiveSpans: [HistogramSpan(offset: -1, length: 2), HistogramSpan(offset: 4, length: 2)],
                                        positiveDeltas: NativeHistogram.deltas(positive),
                                        negativeSpans: [HistogramSpan(offset: 2, length: 2)], negativeDeltas: NativeHistogram.deltas(negative))
                _ = app.append(ref: nil, labels: counter, t: t, histogram: .integer(h))
                let depth: [Int64] = [Int64(step % 7), Int64(step % 11)]
                let depthTotal = UInt64(depth[0] + depth[1])
                let g = NativeHistogram(counterResetHint: .gauge, schema: 0, count: depthTotal, sum: Double(step % 13),
                                        positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveDeltas: NativeHistogram.deltas(depth))
                _ = app.append(ref: nil, labels: gauge, t: t, histogram: .integer(g))
                if step % 100 == 99 {
                    let report = try app.commit()
                    #expect(report.appended == 200, "\(report)")
                    app = db.head.appender()
                }
            }
            _ = try app.commit()
            #expect(try db.compactHead() == 2)
            db.close()
        }
        try FileManager.default.createDirectory(atPath: promData, withIntermediateDirectories: true)
        let blockNames = try FileManager.default.contentsOfDirectory(atPath: vigilData).filter { BlockULID($0) != nil }.sorted()
        #expect(blockNames.count == 2)
        for name in blockNames { try FileManager.default.copyItem(atPath: vigilData + "/" + name, toPath: promData + "/" + name) }
        let blocks = try blockNames.map { try Block(directory: promData + "/" + $0) }
        #expect(blocks.allSatisfy { $0.meta.stats.numSamples == 2 * 480 })

        let port = LocalPort.free()
        try "global:\n  scrape_interval: 1m\n".write(toFile: dir.path + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prometheus = try LocalProcess(PrometheusTools.prometheus, [
            "--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(promData)", "--web.listen-address=127.0.0.1:\(port)",
            "--enable-feature=native-histograms",
        ], log: dir.path + "/prometheus.log")
        defer { prometheus.stop() }
        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(200))
            ready = try await PrometheusTools.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/-/ready"]).status == 0
        }
        try #require(ready, "Prometheus did not start: \(prometheus.logTail)")

        let end = start + 4 * hour - 1
        var compared = 0
        for labels in [counter, gauge] {
            let name = labels["__name__"]
            let served = try await Self.servedHistograms(port: port, query: "\(name)[\(4 * hour)ms]", time: end)
            var decoded: [Int64: NativeHistogram] = [:]
            for block in blocks {
                for series in block.select([try LabelMatcher(.equal, "__name__", name)], mint: .min, maxt: .max, sorted: true) {
                    for s in series.histogramSamples() { decoded[s.t] = s.histogram }
                }
            }
            #expect(decoded.count == 960)
            #expect(served.count == decoded.count, "\(name): Prometheus serves \(served.count) samples, Vigil wrote \(decoded.count)\n\(prometheus.logTail)")
            for (t, h) in decoded.sorted(by: { $0.key < $1.key }) {
                #expect(served[t] == ServedHistogram(h), "\(name) at \(t)")
                compared += 1
            }
        }
        #expect(compared == 2 * 960)
        // The chunk after the restart says so; the gauge's chunks say they hold gauges.
        let headers = blocks.flatMap { block in
            block.select([], mint: .min, maxt: .max, sorted: true).flatMap { series in series.histogramChunks.map { (series.labels["__name__"], $0.header) } }
        }
        #expect(headers.contains { $0.0 == "model_inference_seconds" && $0.1 == .counterReset })
        #expect(headers.filter { $0.0 == "model_batch_queue" }.allSatisfy { $0.1 == .gauge })
    }

    /// A histogram as Prometheus' API writes it: count, sum and the populated buckets with their
    /// boundary rule (0 `(l,u]`, 1 `[l,u)`, 2 `(l,u)`, 3 `[l,u]`), numbers parsed back to floats.
    struct ServedHistogram: Equatable, CustomStringConvertible {
        var count: Double
        var sum: Double
        var buckets: [[Double]]

        init(count: Double, sum: Double, buckets: [[Double]]) {
            self.count = count
            self.sum = sum
            self.buckets = buckets
        }

        init(_ h: NativeHistogram) {
            count = Double(h.count)
            sum = h.sum
            buckets = h.populatedBuckets.map { b in
                let rule: Double = b.lowerInclusive ? (b.upperInclusive ? 3 : 1) : (b.upperInclusive ? 0 : 2)
                return [rule, b.lower, b.upper, Double(b.count)]
            }
        }

        /// Counts, rules and sums exactly; bounds to within two units in the last place: Vigil
        /// computes 2^(i/2^schema) correctly rounded, Prometheus takes the fraction from a table
        /// of its own whose entries are off by one unit in places (0.7071067811865475 for the
        /// square root of one half, whose nearest double is 0.7071067811865476).
        static func == (a: Self, b: Self) -> Bool {
            func close(_ x: Double, _ y: Double) -> Bool { x == y || abs(x - y) <= 2 * max(x.ulp, y.ulp) }
            return a.count == b.count && a.sum.bitPattern == b.sum.bitPattern && a.buckets.count == b.buckets.count
                && zip(a.buckets, b.buckets).allSatisfy { x, y in x[0] == y[0] && x[3] == y[3] && close(x[1], y[1]) && close(x[2], y[2]) }
        }

        var description: String { "{count: \(count), sum: \(sum), buckets: \(buckets)}" }
    }

    /// The histogram samples of a range query's single series, by timestamp in milliseconds.
    static func servedHistograms(port: Int, query: String, time: Int64) async throws -> [Int64: ServedHistogram] {
        let reply = try await PrometheusTools.run("/usr/bin/curl", [
            "-sf", "--get", "http://127.0.0.1:\(port)/api/v1/query",
            "--data-urlencode", "query=\(query)", "--data-urlencode", "time=\(time / 1000).\(String(1000 + time % 1000).dropFirst())",
        ])
        try #require(reply.status == 0, "\(reply.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.output.utf8)) as? [String: Any])
        let result = try #require((json["data"] as? [String: Any])?["result"] as? [[String: Any]])
        try #require(result.count == 1, "\(query) at \(time): \(reply.output.prefix(500))")
        var out: [Int64: ServedHistogram] = [:]
        for point in result[0]["histograms"] as? [[Any]] ?? [] {
            let t = try #require(point[0] as? Double), h = try #require(point[1] as? [String: Any])
            func number(_ any: Any?) -> Double? { (any as? String).flatMap(Double.init) }
            var buckets: [[Double]] = []
            for b in h["buckets"] as? [[Any]] ?? [] {
                let rule = try #require(b[0] as? Int)
                let bounds = b[1...].compactMap(number)
                try #require(bounds.count == 3, "\(b)")
                buckets.append([Double(rule)] + bounds)
            }
            let count = try #require(number(h["count"])), sum = try #require(number(h["sum"]))
            out[Int64((t * 1000).rounded())] = ServedHistogram(count: count, sum: sum, buckets: buckets)
        }
        return out
    }
}

extension PrometheusTools {
    /// Whether Prometheus and the protobuf compiler the native histogram target needs are here.
    static var canRunHistogramTarget: Bool {
        FileManager.default.isExecutableFile(atPath: prometheus) && FileManager.default.isExecutableFile(atPath: "/usr/bin/protoc")
    }
}

/// A child process for a test, its output in a log file, stopped at the end.
final class LocalProcess: @unchecked Sendable {
    private let process = Process()
    let logPath: String

    init(_ executable: String, _ arguments: [String], log: String) throws {
        logPath = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var logTail: String { String(String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self).suffix(2000)) }

    /// Kills the process: a child spawned from a test thread inherits that thread's blocked
    /// signals, so a SIGTERM could wait forever (Python does not unblock it, Go does).
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A loopback TCP port nothing listens on, as the kernel hands one out.
enum LocalPort {
    static func free() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
