import Benchmark
import MetricModel
import PromQL
import TSDB

/// The query engine alone, without HTTP: the shapes of the side-by-side battery
/// (`scripts/query-benchmark.sh`) on a head loaded the same way, an hour at 15 s.
/// Counts allocations, which the wall clock of a sub-millisecond query hides.
enum EngineFixture {
    static let end: Int64 = 3_600_000

    static let head: Head = {
        let head = Head.inMemory()
        var app = head.appender()
        var series: [Labels] = []
        for i in 0..<50 {
            for species in ["setosa", "versicolor", "virginica"] {
                series.append(Labels(["__name__": "python_iris_predictions_total", "instance": "model-\(i)", "species": species]))
            }
            for cpu in 0..<8 {
                for mode in ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"] {
                    series.append(Labels(["__name__": "node_cpu_seconds_total", "instance": "node-\(i)", "cpu": "\(cpu)", "mode": mode]))
                }
            }
        }
        var value = Array(repeating: 0.0, count: series.count)
        var t: Int64 = 0
        while t <= end {
            for (k, labels) in series.enumerated() {
                value[k] += Double((k * 7 + Int(t / 15_000)) % 13)
                _ = app.append(ref: nil, labels: labels, t: t, v: value[k])
            }
            t += 15_000
        }
        _ = try? app.commit()
        return head
    }()
}

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(3), maxIterations: 10_000)
    let engine = Engine()
    let head = EngineFixture.head
    let instants = [
        ("prediction rate by class", "sum by (species) (rate(python_iris_predictions_total[5m]))"),
        ("regex matcher", "sum by (instance) (rate(node_cpu_seconds_total{mode=~\"user|system|iowait\"}[5m]))"),
        ("avg_over_time idle CPU", "avg by (instance) (avg_over_time(node_cpu_seconds_total{mode=\"idle\"}[10m]))"),
    ]
    for (name, query) in instants {
        Benchmark("Instant: \(name)", configuration: config) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try engine.instantQuery(query, at: EngineFixture.end, querier: head))
            }
        }
    }
    Benchmark("1h range at 15 s: CPU rate by instance", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try engine.rangeQuery("sum by (instance) (rate(node_cpu_seconds_total[5m]))",
                                            start: 0, end: EngineFixture.end, step: 15_000, querier: head))
        }
    }
}
