// swift-tools-version:6.2
import class Foundation.ProcessInfo
import PackageDescription

// Vigil: Prometheus and Alertmanager in one Swift process.
// Targets are listed in data-flow order, lowest first: a target depends only on targets listed
// above it, and declares every module it imports (scripts/check-imports.py keeps that true).

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
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
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
        // The configuration kit every YAML file shares: values with lines, strict mapping readers,
        // file:line errors, globs, secrets, byte sizes, the `http_config` model.
        .target(name: "ConfigSupport", dependencies: [
            "MetricModel",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Outgoing HTTP from an `http_config`: TLS configurations, one client per TLS setting,
        // network errors in words a user can act on.
        .target(name: "OutgoingHTTP", dependencies: [
            "ConfigSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // Prometheus text 0.0.4 and OpenMetrics parsers over bytes; whole bodies (text or the
        // delimited protobuf format, generated code in Generated/) as metric families.
        .target(name: "Exposition", dependencies: [
            "MetricModel",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        // The snappy block codec of the remote-write protocol.
        .target(name: "Snappy"),
        // Head, postings, XOR chunks, WAL, snapshots; blocks in Prometheus' format (index, chunk
        // segments, tombstones, compaction, retention); import of Prometheus' WAL; Appender and
        // Querier seams.
        .target(name: "TSDB", dependencies: [
            "MetricModel", "Snappy",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // PromQL: lexer, parser, AST, evaluator, functions; the test-script runner.
        .target(name: "PromQL", dependencies: ["MetricModel", "TSDB"]),
        // prometheus.yml models only, decoded strictly with ConfigSupport's kit.
        .target(name: "Config", dependencies: ["MetricModel", "ConfigSupport"]),
        // Service discovery (file, HTTP, DNS) → target groups.
        .target(name: "Discovery", dependencies: [
            "MetricModel", "ConfigSupport", "Config", "OutgoingHTTP",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // Scrape pools and loops, target health, staleness; probes (the blackbox exporter's modules).
        .target(name: "Scrape", dependencies: [
            "MetricModel", "ConfigSupport", "OutgoingHTTP", "Exposition", "TSDB", "Config", "Discovery",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Remote write: the receiver (protobuf WriteRequest, generated code in Generated/, into the
        // Appender) and the sender that follows the WAL to remote_write destinations.
        .target(name: "RemoteWrite", dependencies: [
            "MetricModel", "ConfigSupport", "Config", "OutgoingHTTP", "TSDB", "Snappy",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The push API for batch and training jobs: grouping keys, the Pushgateway's push rules,
        // pushed groups stored as if scraped with honor_labels, kept on disk, expired.
        .target(name: "Push", dependencies: [
            "MetricModel", "ConfigSupport", "Exposition", "TSDB",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The Go text/template language, shared by rules and notifications.
        .target(name: "GoTemplate", dependencies: ["MetricModel"]),
        // Rule files, groups, recording, alerting and anomaly rules, the unit-test runner.
        .target(name: "Rules", dependencies: [
            "MetricModel", "ConfigSupport", "PromQL", "TSDB", "GoTemplate",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Vigil's Alertmanager: alertmanager.yml, routing tree, groups, inhibition, silences,
        // notification log, e-mail (its own SMTP client) and webhook integrations.
        .target(name: "Alertmanager", dependencies: [
            "MetricModel", "ConfigSupport", "OutgoingHTTP", "GoTemplate",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Sends alerts to Alertmanagers (API v2, in Alertmanager's own wire type): a bounded queue,
        // batches, every instance.
        .target(name: "Notifier", dependencies: [
            "MetricModel", "ConfigSupport", "OutgoingHTTP", "Config", "Rules", "Alertmanager",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The edge: the web configuration file (TLS, basic auth with bcrypt, response headers,
        // rate limit), reloaded on change, and the one middleware and TLS channel that apply it.
        .target(name: "WebSecurity", dependencies: [
            "MetricModel", "ConfigSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Hummingbird routes and response writing: Prometheus API v1, Alertmanager API v2, the
        // Grafana JSON datasource, the built-in web UI (its files are compiled into the binary),
        // lifecycle. Everything it serves comes through one protocol, `APIBackend`.
        .target(name: "HTTPAPI", dependencies: [
            "MetricModel", "ConfigSupport", "Config", "Exposition", "TSDB", "PromQL", "Scrape", "RemoteWrite", "Push", "Rules", "Notifier",
            "Alertmanager", "WebSecurity",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], resources: [
            .embedInCode("WebUI/index.html"), .embedInCode("WebUI/app.js"), .embedInCode("WebUI/style.css"),
        ]),
        // The one owner: builds every component, runs them as services of one ServiceGroup,
        // reloads, keeps Vigil's own metrics and query admission, implements `APIBackend`.
        .target(name: "VigilServer", dependencies: [
            "MetricModel", "ConfigSupport", "Config", "TSDB", "PromQL", "Discovery", "Scrape", "Rules", "Notifier", "RemoteWrite",
            "Push", "Alertmanager", "WebSecurity", "HTTPAPI",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // The command line: server, check, test, tsdb, notify.
        .executableTarget(name: "vigil", dependencies: [
            "MetricModel", "ConfigSupport", "Config", "TSDB", "PromQL", "Scrape", "Rules", "Alertmanager", "WebSecurity", "VigilServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        .testTarget(name: "MetricModelTests", dependencies: ["MetricModel"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "MetricModel", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "PushTests", dependencies: ["Push", "Exposition", "TSDB", "MetricModel", .product(name: "Logging", package: "swift-log"),
                                                     .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "TSDBTests", dependencies: ["TSDB", "MetricModel"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "ConfigSupport", "MetricModel"]),
        .testTarget(name: "GoTemplateTests", dependencies: ["GoTemplate"]),
        .testTarget(name: "AlertmanagerTests", dependencies: ["Alertmanager", "ConfigSupport", "MetricModel", "GoTemplate", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "NotifierTests", dependencies: [
            "Notifier", "Alertmanager", "Rules", "Config", "ConfigSupport", "MetricModel", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "RulesTests", dependencies: [
            "Rules", "ConfigSupport", "PromQL", "TSDB", "MetricModel", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "HTTPAPITests", dependencies: [
            "HTTPAPI", "MetricModel", "PromQL", "TSDB", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "WebSecurityTests", dependencies: ["WebSecurity", "ConfigSupport"]),
        .testTarget(name: "PromQLTests", dependencies: ["PromQL", "TSDB", "MetricModel"], exclude: ["Scripts"]),
        .testTarget(name: "SnappyTests", dependencies: ["Snappy"]),
        // Seeded mutation tests: outside input must produce errors, never traps.
        .testTarget(name: "RobustnessTests", dependencies: ["MetricModel", "Exposition", "TSDB", "Config", "Snappy", "RemoteWrite", "GoTemplate", "Alertmanager"]),
        .testTarget(name: "RemoteWriteTests", dependencies: [
            "RemoteWrite", "TSDB", "Snappy", "MetricModel", "Config", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .testTarget(name: "DiscoveryTests", dependencies: ["Discovery", "Config", "MetricModel", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ScrapeTests", dependencies: [
            "Scrape", "TSDB", "Config", "Discovery", "Exposition", "MetricModel", .product(name: "Logging", package: "swift-log"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // Runs the real `vigil` binary against real targets (prometheus_client, node_exporter).
        .testTarget(name: "IntegrationTests", dependencies: [
            "vigil",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], exclude: ["Support"]),
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

// The libFuzzer harness (one executable, the target chosen by VIGIL_FUZZ_TARGET) is opt-in too:
// scripts/fuzz.sh builds it with `-sanitize=fuzzer,address` in its own .build-fuzz.
if ProcessInfo.processInfo.environment["VIGIL_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "VigilFuzz",
            dependencies: [
                "MetricModel", "Exposition", "TSDB", "PromQL", "Config", "Rules", "RemoteWrite", "GoTemplate", "Alertmanager",
                "WebSecurity", "HTTPAPI", "Discovery", "Push", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/VigilFuzz",
            // libFuzzer supplies `main`; the harness only defines LLVMFuzzerTestOneInput.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
    // Checksums of stored files always pass in this build, so the fuzzer reaches the decoders
    // behind them (CRC32C+Verification.swift).
    for target in package.targets where target.name == "TSDB" {
        target.swiftSettings = (target.swiftSettings ?? []) + [.define("VIGIL_FUZZING")]
    }
}
