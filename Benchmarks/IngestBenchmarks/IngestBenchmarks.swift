import Benchmark
import Exposition
import Foundation
import MetricModel
import TSDB

/// A scrape body shaped like node_exporter plus a prometheus_client model API:
/// label-heavy counters and gauges, and histogram buckets. Deterministic.
func realisticBody(targetBytes: Int) -> [UInt8] {
    var out = ""
    var seed: UInt64 = 42
    func next() -> UInt64 {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return seed >> 33
    }
    var family = 0
    while out.utf8.count < targetBytes {
        family += 1
        out += "# HELP node_cpu_seconds_total_\(family) Seconds the CPUs spent in each mode.\n"
        out += "# TYPE node_cpu_seconds_total_\(family) counter\n"
        for cpu in 0..<8 {
            for mode in ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"] {
                out += "node_cpu_seconds_total_\(family){cpu=\"\(cpu)\",mode=\"\(mode)\"} \(Double(next() % 10_000_000) / 100)\n"
            }
        }
        out += "# TYPE node_filesystem_avail_bytes_\(family) gauge\n"
        for (dev, mount) in [("/dev/vda", "/"), ("tmpfs", "/run"), ("/dev/vdb1", "/data")] {
            out += "node_filesystem_avail_bytes_\(family){device=\"\(dev)\",fstype=\"ext4\",mountpoint=\"\(mount)\"} \(Double(next()) * 1e3)\n"
        }
        out += "# HELP python_processing_time_seconds_\(family) Time spent processing a request\n"
        out += "# TYPE python_processing_time_seconds_\(family) histogram\n"
        var cumulative = 0
        for le in ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "+Inf"] {
            cumulative += Int(next() % 50)
            out += "python_processing_time_seconds_\(family)_bucket{le=\"\(le)\"} \(cumulative).0\n"
        }
        out += "python_processing_time_seconds_\(family)_sum 12.5\npython_processing_time_seconds_\(family)_count \(cumulative).0\n"
        for s in ["setosa", "versicolor", "virginica"] {
            out += "python_iris_predictions_total_\(family){species=\"\(s)\"} \(next() % 100_000).0\n"
        }
    }
    return Array(out.utf8)
}

let body = realisticBody(targetBytes: 1 << 20)
let bodyMB = String(format: "%.2f", Double(body.count) / 1_048_576)

let benchmarks: @Sendable () -> Void = {
    let throughput = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(5), maxIterations: 1000)

    // The scrape hot path once the cache is warm: tokenise every line, no label strings built.
    Benchmark("Parse text format, series keys only (\(bodyMB) MB per op)", configuration: throughput) { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = ExpositionParser(bytes: body, format: .text)
            var sum = 0.0
            while let entry = try? parser.next() {
                if case .sample(let s) = entry { sum += s.value }
            }
            blackHole(sum)
        }
    }

    // A target's first scrape: every sample's labels decoded and sorted.
    Benchmark("Parse text format with labels (\(bodyMB) MB per op)", configuration: throughput) { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = ExpositionParser(bytes: body, format: .text)
            var n = 0
            while let entry = try? parser.next() {
                if case .sample = entry, let l = try? parser.labels() { n += l.count }
            }
            blackHole(n)
        }
    }

    let appendConfig = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal], scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 2000)

    // Steady state: the same head across all samples, one commit of 10k samples per iteration,
    // so chunks fill and are cut as in a long-running server.
    let memory = AppendFixture(head: Head.inMemory())
    Benchmark("Head append, \(AppendFixture.seriesCount) series per commit (in memory)", configuration: appendConfig) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try memory.commitOneScrape()) }
    }

    let walDir = NSTemporaryDirectory() + "vigil-bench-" + UUID().uuidString
    var walOptions = DatabaseOptions()
    walOptions.walFsync = .never
    walOptions.walSegmentSize = 512 << 20
    if let db = try? Database(directory: walDir, options: walOptions) {
        let withWAL = AppendFixture(head: db.head)
        Benchmark("Database append with WAL, \(AppendFixture.seriesCount) series per commit", configuration: appendConfig) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try withWAL.commitOneScrape()) }
        } teardown: {
            db.close()
            try? FileManager.default.removeItem(atPath: walDir)
        }
    }

    // Compression: regular 15 s scrapes of slowly changing counters, measured in thousandths of a byte.
    let bytesMetric = BenchmarkMetric.custom("chunk bytes per sample (x1000)", polarity: .prefersSmaller, useScalingFactor: false)
    Benchmark("XOR chunk size, slow counters at 15 s", configuration: .init(metrics: [bytesMetric], maxIterations: 1)) { benchmark in
        var seed: UInt64 = 7
        var bytes = 0
        var samples = 0
        for _ in 0..<1000 {
            var c = XORChunk()
            var v = Double(seed % 100_000)
            for i in 0..<XORChunk.targetSamples {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                if (seed >> 60) < 6 { v += Double((seed >> 40) % 5) } // changes in about a third of the scrapes
                c.append(t: 1_700_000_000_000 + Int64(i) * 15_000, v: v)
            }
            bytes += c.byteCount
            samples += c.count
        }
        benchmark.measurement(bytesMetric, bytes * 1000 / samples)
    }
}

/// A head with 10k series whose references are known, as a warm scrape cache holds them.
final class AppendFixture: @unchecked Sendable {
    static let seriesCount = 10_000
    let head: Head
    let labels: [Labels]
    let refs: [SeriesRef]
    var t: Int64 = 0

    init(head: Head) {
        self.head = head
        labels = (0..<Self.seriesCount).map { Labels(["__name__": "m", "instance": "host-\($0 % 100)", "series": String($0)]) }
        var app = head.appender()
        refs = labels.map { app.append(ref: nil, labels: $0, t: 0, v: 0) }
        _ = try? app.commit()
    }

    func commitOneScrape() throws -> AppendReport {
        t += 15_000
        var a = head.appender()
        let step = Double(t / 15_000)
        for i in 0..<Self.seriesCount { _ = a.append(ref: refs[i], labels: labels[i], t: t, v: step + Double(i & 7)) }
        return try a.commit()
    }
}
