// swift-tools-version:6.2
import class Foundation.ProcessInfo
import PackageDescription

// Vigil: Prometheus and Alertmanager in one Swift process.
// Targets follow the data flow: MetricModel → Exposition → TSDB ← Scrape ← Config/Discovery,
// with the HTTP API and the CLI at the edges. Dependencies only point down that list.

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilStorage", targets: ["MetricModel", "Exposition", "TSDB"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // Labels, matchers, the linear-time regex, durations and relabeling.
        .target(name: "MetricModel", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Prometheus text 0.0.4 and OpenMetrics parsers over bytes.
        .target(name: "Exposition", dependencies: ["MetricModel"]),
        // The snappy block codec of the remote-write protocol.
        .target(name: "Snappy"),
        // Head, postings, XOR chunks, WAL, checkpoints, retention; Appender and Querier seams.
        .target(name: "TSDB", dependencies: [
            "MetricModel",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // PromQL: lexer, parser, AST, evaluator, functions; the test-script runner.
        .target(name: "PromQL", dependencies: ["MetricModel", "TSDB"]),
        // prometheus.yml models with strict decoding and file:line errors.
        // The Go text/template language, shared by rules and notifications.
        .target(name: "GoTemplate", dependencies: ["MetricModel"]),
        // Rule files, groups, recording and alerting rules (reads YAML through Config's line-aware tree).
        .target(name: "Rules", dependencies: [
            "MetricModel", "Config", "PromQL", "TSDB", "GoTemplate",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Sends alerts to Alertmanagers (API v2): a bounded queue, batches, every instance.
        // Vigil's Alertmanager: alertmanager.yml, routing tree, groups, inhibition, silences,
        // notification log, e-mail (its own SMTP client) and webhook integrations.
        .target(name: "Alertmanager", dependencies: [
            "MetricModel", "Config", "GoTemplate",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Notifier", dependencies: [
            "MetricModel", "Config", "Rules",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Config", dependencies: [
            "MetricModel",
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // Static and file-based service discovery → target groups.
        .target(name: "Discovery", dependencies: [
            "Config",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // Scrape pools and loops, target health, staleness.
        .target(name: "Scrape", dependencies: [
            "Exposition", "TSDB", "Discovery", "Config",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The remote-write receiver: protobuf WriteRequest (generated code in Generated/) into the Appender.
        .target(name: "RemoteWrite", dependencies: [
            "MetricModel", "TSDB", "Snappy",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        // Hummingbird routes: Prometheus API v1, Alertmanager API v2, the Grafana JSON datasource,
        // the built-in web UI (its files are compiled into the binary), lifecycle, own metrics.
        .target(name: "HTTPAPI", dependencies: [
            "Scrape", "TSDB", "Config", "RemoteWrite", "PromQL", "Rules", "Notifier", "Alertmanager",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], resources: [
            .embedInCode("WebUI/index.html"), .embedInCode("WebUI/app.js"), .embedInCode("WebUI/style.css"),
        ]),
        // Wiring of every component into one ServiceGroup, reload.
        .target(name: "VigilServer", dependencies: [
            "HTTPAPI", "Scrape", "TSDB", "Config", "Discovery", "PromQL", "Rules", "Notifier", "Alertmanager",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "vigil", dependencies: [
            "VigilServer", "Config", "PromQL", "Rules", "Alertmanager",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        .testTarget(name: "MetricModelTests", dependencies: ["MetricModel"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition"]),
        .testTarget(name: "TSDBTests", dependencies: ["TSDB"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "GoTemplateTests", dependencies: ["GoTemplate"]),
        .testTarget(name: "AlertmanagerTests", dependencies: ["Alertmanager", "Config", "MetricModel", "GoTemplate"]),
        .testTarget(name: "NotifierTests", dependencies: ["Notifier", "Rules", "Config", "MetricModel"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "Config", "PromQL", "TSDB", "MetricModel"]),
        .testTarget(name: "HTTPAPITests", dependencies: [
            "HTTPAPI", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "PromQLTests", dependencies: ["PromQL", "TSDB"], exclude: ["Scripts"]),
        .testTarget(name: "SnappyTests", dependencies: ["Snappy"]),
        // Seeded mutation tests: outside input must produce errors, never traps.
        .testTarget(name: "RobustnessTests", dependencies: ["MetricModel", "Exposition", "TSDB", "Config", "Snappy", "RemoteWrite", "GoTemplate", "Alertmanager"]),
        .testTarget(name: "RemoteWriteTests", dependencies: ["RemoteWrite", "TSDB", "Snappy"]),
        .testTarget(name: "DiscoveryTests", dependencies: ["Discovery", "Config"]),
        .testTarget(name: "ScrapeTests", dependencies: ["Scrape", "TSDB", "Config", "Discovery"]),
        // Runs the real `vigil` binary against real targets (prometheus_client, node_exporter).
        .testTarget(name: "IntegrationTests", dependencies: [
            "vigil",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
    ]
)

// Benchmarks (ordo-one/benchmark) are opt-in so everyday builds and CI never resolve or build them:
//   VIGIL_BENCHMARKS=1 swift package --scratch-path .build-bench benchmark
if ProcessInfo.processInfo.environment["VIGIL_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "IngestBenchmarks",
            dependencies: [
                "MetricModel", "Exposition", "TSDB",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/IngestBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
    package.targets.append(
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                "MetricModel", "TSDB", "PromQL",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
    // Side by side with the real Prometheus: scripts/query-benchmark.sh builds and runs it.
    package.targets.append(
        .executableTarget(
            name: "QueryBenchmark",
            dependencies: [
                "Snappy", "RemoteWrite",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Benchmarks/QueryBenchmark"
        ))
}
