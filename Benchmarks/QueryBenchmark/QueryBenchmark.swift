import AsyncHTTPClient
import Foundation
import NIOCore
import RemoteWrite
import Snappy
import SwiftProtobuf

/// Without decompression, so neither server spends time compressing responses.
let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(decompression: .disabled))

/// Loads the same hour of data into a real Prometheus and into Vigil (remote write), then times a
/// battery of dashboard and alert queries against both and prints median latencies and ratios.
///
/// Usage: QueryBenchmark <vigil-binary> [prometheus-binary] [runs]
@main
struct QueryBenchmark {
    static func main() async throws {
        let args = CommandLine.arguments
        guard args.count >= 2 else {
            print("usage: QueryBenchmark <vigil-binary> [prometheus-binary] [runs]")
            return
        }
        let vigilBinary = args[1]
        let prometheusBinary = args.count > 2 ? args[2] : "/usr/bin/prometheus"
        let runs = args.count > 3 ? Int(args[3]) ?? 15 : 15
        let work = NSTemporaryDirectory() + "vigil-qbench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try "scrape_configs: []\n".write(toFile: work + "/empty.yml", atomically: true, encoding: .utf8)

        let promPort = 19500 + Int.random(in: 0..<200), vigilPort = promPort + 300
        let prometheus = try launch(prometheusBinary, ["--config.file=\(work)/empty.yml", "--storage.tsdb.path=\(work)/prom",
                                                      "--web.listen-address=127.0.0.1:\(promPort)", "--web.enable-remote-write-receiver",
                                                      "--log.level=error"])
        let vigil = try launch(vigilBinary, ["--config.file=\(work)/empty.yml", "--storage.tsdb.path=\(work)/vigil",
                                             "--web.listen-address=127.0.0.1:\(vigilPort)", "--web.enable-remote-write-receiver",
                                             "--log.level=error"])
        defer {
            prometheus.terminate()
            vigil.terminate()
        }
        let servers = [("Prometheus", "http://127.0.0.1:\(promPort)"), ("Vigil", "http://127.0.0.1:\(vigilPort)")]
        for (name, base) in servers {
            guard await waitReady(base) else { print("\(name) did not become ready"); return }
        }

        // One hour at 15 s, ending on a 15 s boundary a little in the past.
        let end = (Int64(Date().timeIntervalSince1970) / 15 - 4) * 15 * 1000
        let start = end - 3_600_000
        let data = Dataset(start: start, end: end)
        print("Loading \(data.series.count) series × \(data.timestamps.count) samples into both servers…")
        for (name, base) in servers {
            let t0 = ContinuousClock.now
            try await data.remoteWrite(to: base + "/api/v1/write")
            print("  \(name): loaded in \(t0.duration(to: .now))")
        }
        let endSeconds = Double(end) / 1000
        if let hold = ProcessInfo.processInfo.environment["QB_HOLD_SECONDS"], let seconds = Int(hold) {
            // For profiling by hand: both servers stay up with the data loaded.
            print("Prometheus: \(servers[0].1)  Vigil: \(servers[1].1)  data ends at \(endSeconds); holding \(seconds) s")
            try await Task.sleep(for: .seconds(seconds))
            return
        }
        let battery: [(String, String)] = [
            ("prediction rate by class", "sum by (species) (rate(python_iris_predictions_total[5m]))"),
            ("p95 from histogram buckets", "histogram_quantile(0.95, sum by (le) (rate(python_processing_time_seconds_bucket[5m])))"),
            ("topk of request rates", "topk(5, sum by (instance) (rate(http_requests_total[5m])))"),
            ("avg_over_time idle CPU", "avg by (instance) (avg_over_time(node_cpu_seconds_total{mode=\"idle\"}[10m]))"),
            ("regex matcher", "sum by (instance) (rate(node_cpu_seconds_total{mode=~\"user|system|iowait\"}[5m]))"),
            ("error ratio", "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))"),
        ]
        var rows: [(String, Double, Double)] = []
        for (name, q) in battery {
            let query = "query=" + encode(q) + "&time=\(endSeconds)"
            let (p, v) = try await medians(servers[0].1 + "/api/v1/query?" + query, servers[1].1 + "/api/v1/query?" + query, runs)
            rows.append((name + " (instant)", p, v))
        }
        let rangeBattery: [(String, String)] = [
            ("1h range: CPU rate by instance", "sum by (instance) (rate(node_cpu_seconds_total[5m]))"),
            ("1h range: p90 by instance", "histogram_quantile(0.9, sum by (le, instance) (rate(python_processing_time_seconds_bucket[5m])))"),
            ("1h range: all CPU series", "rate(node_cpu_seconds_total[5m])"),
            // Same evaluation as the line above, one output series: separates evaluation from serialisation.
            ("1h range: count of all CPU rates", "count(rate(node_cpu_seconds_total[5m]))"),
        ]
        for (name, q) in rangeBattery {
            let query = "query=" + encode(q) + "&start=\(Double(start) / 1000 + 600)&end=\(endSeconds)&step=15"
            let (p, v) = try await medians(servers[0].1 + "/api/v1/query_range?" + query, servers[1].1 + "/api/v1/query_range?" + query, runs)
            rows.append((name, p, v))
        }
        // The answers must agree, or the timings compare different work.
        for (name, q) in battery {
            let a = try await get(servers[0].1 + "/api/v1/query?query=" + encode(q) + "&time=\(endSeconds)")
            let b = try await get(servers[1].1 + "/api/v1/query?query=" + encode(q) + "&time=\(endSeconds)")
            let countA = a.components(separatedBy: "\"metric\"").count, countB = b.components(separatedBy: "\"metric\"").count
            if countA != countB { print("WARNING: \(name): Prometheus returned \(countA - 1) series, Vigil \(countB - 1)") }
        }
        print("")
        print(pad("query", 45) + pad("Prometheus p50", 16) + pad("Vigil p50", 12) + "Vigil/Prometheus")
        for (name, p, v) in rows {
            print(pad(name, 45) + pad(String(format: "%.2f ms", p), 16) + pad(String(format: "%.2f ms", v), 12) + String(format: "%.2f", v / p))
        }
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }

    static func launch(_ path: String, _ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    static func get(_ url: String) async throws -> String {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(120))
        return String(buffer: try await response.body.collect(upTo: 256 << 20))
    }

    static func waitReady(_ base: String) async -> Bool {
        for _ in 0..<100 {
            if let r = try? await client.execute(HTTPClientRequest(url: base + "/-/ready"), timeout: .seconds(2)), r.status == .ok { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// Median wall times of `runs` GETs of each URL, in milliseconds, after two warm-up requests
    /// each. The two servers take turns, so both meet the same machine conditions (this VM's
    /// background load swings by a factor of two within a minute).
    static func medians(_ a: String, _ b: String, _ runs: Int) async throws -> (Double, Double) {
        for _ in 0..<2 {
            _ = try await get(a)
            _ = try await get(b)
        }
        var times: ([Double], [Double]) = ([], [])
        for _ in 0..<runs {
            times.0.append(try await timed(a))
            times.1.append(try await timed(b))
        }
        return (median(times.0), median(times.1))
    }

    /// Time from sending the request to the last byte of the response, in milliseconds.
    ///
    /// By default curl measures (`QB_CLIENT=curl`): a C client that sends the request twice on
    /// one kept-alive connection and reports the second, so the figure is the server's latency
    /// as a lean client with a warm connection (Grafana's, say) sees it. `QB_CLIENT=ahc` times through AsyncHTTPClient in this process
    /// instead; on a two-core machine its threads compete with the servers for the cores, which
    /// adds roughly the same fixed cost to both and pulls small ratios towards 1.
    static func timed(_ url: String) async throws -> Double {
        if ProcessInfo.processInfo.environment["QB_CLIENT"] == "ahc" {
            let t0 = ContinuousClock.now
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(120))
            let body = try await response.body.collect(upTo: 256 << 20)
            let d = t0.duration(to: .now)
            guard response.status == .ok else { throw BenchError(message: "query failed: \(String(buffer: body).prefix(300))") }
            return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-w", "%{http_code} %{num_connects} %{time_total}\\n", "-o", "/dev/null", url, "-o", "/dev/null", url]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        let second = text.split(separator: "\n").last?.split(separator: " ") ?? []
        guard second.count == 3, second[0] == "200", second[1] == "0", let total = Double(second[2]) else {
            throw BenchError(message: "query failed or the connection was not reused: curl printed \(text) for \(url)")
        }
        return total * 1000
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    struct BenchError: Error { var message: String }
}

/// Synthetic but realistic data: a model API (prediction counters, request counters with codes,
/// a processing-time histogram) on 50 instances, and node CPU counters.
struct Dataset {
    let series: [[(String, String)]]
    let timestamps: [Int64]

    init(start: Int64, end: Int64) {
        var s: [[(String, String)]] = []
        for i in 0..<50 {
            let inst = "api-\(i):8000"
            for sp in ["setosa", "versicolor", "virginica"] {
                s.append([("__name__", "python_iris_predictions_total"), ("instance", inst), ("job", "model-api"), ("species", sp)])
            }
            for method in ["GET", "POST"] {
                for code in ["200", "500"] {
                    s.append([("__name__", "http_requests_total"), ("code", code), ("instance", inst), ("job", "model-api"), ("method", method)])
                }
            }
            for le in ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"] {
                s.append([("__name__", "python_processing_time_seconds_bucket"), ("instance", inst), ("job", "model-api"), ("le", le)])
            }
            for cpu in 0..<8 {
                for mode in ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"] {
                    s.append([("__name__", "node_cpu_seconds_total"), ("cpu", String(cpu)), ("instance", "node-\(i):9100"), ("job", "node"), ("mode", mode)])
                }
            }
        }
        series = s
        timestamps = Array(stride(from: start, through: end, by: 15_000))
    }

    /// A slowly growing counter per series, so rate() and histogram_quantile() have real work.
    func value(series i: Int, step k: Int) -> Double {
        let labels = series[i]
        var growth = Double((i * 7919) % 13 + 1)
        if let le = labels.first(where: { $0.0 == "le" })?.1 {
            let bounds = ["0.005": 1.0, "0.01": 2, "0.025": 4, "0.05": 7, "0.1": 10, "0.25": 12, "0.5": 13, "1": 14, "2.5": 15, "+Inf": 15]
            growth = bounds[le] ?? 1
        }
        return Double(k) * growth + Double((k * 31 + i) % 3)
    }

    func remoteWrite(to url: String) async throws {
        let batch = 20
        var k0 = 0
        while k0 < timestamps.count {
            let k1 = min(timestamps.count, k0 + batch)
            var request = Vigil_Remotewrite_V1_WriteRequest()
            request.timeseries = series.indices.map { i in
                var ts = Vigil_Remotewrite_V1_TimeSeries()
                ts.labels = series[i].map { var l = Vigil_Remotewrite_V1_Label(); l.name = $0.0; l.value = $0.1; return l }
                ts.samples = (k0..<k1).map { k in
                    var sm = Vigil_Remotewrite_V1_Sample()
                    sm.timestamp = timestamps[k]
                    sm.value = value(series: i, step: k)
                    return sm
                }
                return ts
            }
            var req = HTTPClientRequest(url: url)
            req.method = .POST
            req.headers.add(name: "Content-Type", value: "application/x-protobuf")
            req.headers.add(name: "Content-Encoding", value: "snappy")
            req.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
            req.body = .bytes(ByteBuffer(bytes: Snappy.encode(try request.serializedBytes())))
            let response = try await client.execute(req, timeout: .seconds(60))
            guard (200..<300).contains(Int(response.status.code)) else {
                let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
                throw QueryBenchmark.BenchError(message: "remote write to \(url) failed: \(response.status.code) \(body)")
            }
            k0 = k1
        }
    }
}
