import Foundation
import Testing

/// A model API instrumented with the real OpenTelemetry Python SDK pushes its metrics through the
/// SDK's OTLP/HTTP exporter into Vigil's OTLP receiver; what Vigil stores is read back through
/// the query API under the names Prometheus' OTLP translation gives them.
@Suite(.serialized) struct OTLPIntegrationTests {
    static func vector(_ vigil: VigilInstance, _ query: String) async throws -> [(labels: [String: String], value: Double)] {
        let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let reply = try await HTTP.request(vigil.base + "/api/v1/query?query=" + q)
        let data = (reply.json as? [String: Any])?["data"] as? [String: Any]
        let result = data?["result"] as? [[String: Any]] ?? []
        return result.compactMap { item in
            guard let labels = item["metric"] as? [String: String], let pair = item["value"] as? [Any],
                  let text = pair.last as? String, let value = Double(text) else { return nil }
            return (labels, value)
        }
    }

    static func startApp(vigil: VigilInstance, gzip: Bool, environment: [String: String] = [:]) throws -> (ChildProcess, base: String) {
        guard FileManager.default.isExecutableFile(atPath: Paths.otelPython) else {
            throw PeerError("the OpenTelemetry SDK's Python (\(Paths.otelPython)) is missing: run scripts/install-test-deps.sh")
        }
        let port = freePort()
        let app = try ChildProcess(name: "otel-model-api", executable: Paths.otelPython, arguments: [Paths.otelModelAPI, "--port", "\(port)"],
                                   environment: [
                                       "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": vigil.base + "/api/v1/otlp/v1/metrics",
                                       "OTEL_METRIC_EXPORT_INTERVAL": "300",
                                       "OTEL_EXPORTER_OTLP_COMPRESSION": gzip ? "gzip" : "none",
                                       "OTEL_SERVICE_INSTANCE_ID": gzip ? "iris-api-gzip" : "iris-api-0",
                                   ].merging(environment) { _, b in b })
        return (app, "http://127.0.0.1:\(port)")
    }

    @Test(arguments: [false, true])
    func theOpenTelemetrySDKsMetricsAreStoredUnderPrometheusNames(gzip: Bool) async throws {
        let vigil = try await VigilInstance(config: """
            scrape_configs: []
            otlp:
              promote_resource_attributes: [deployment.environment]

            """, extraArgs: ["--web.enable-otlp-receiver"])
        let (app, appBase) = try Self.startApp(vigil: vigil, gzip: gzip)
        defer { _ = app }
        let instance = gzip ? "iris-api-gzip" : "iris-api-0"
        let started = await eventually(timeout: .seconds(30)) { (try? await HTTP.request(appBase + "/predict?ms=3", method: "POST").status) == 200 }
        #expect(started, "\(app.log.suffix(2000))")
        // Four more predictions: 7, 30, 300 and 3 ms, so five in all (two at 3 ms).
        for ms in [7, 30, 300, 3] { _ = try await HTTP.request(appBase + "/predict?ms=\(ms)", method: "POST") }

        let arrived = await eventually(timeout: .seconds(30)) {
            (try? await Self.vector(vigil, "sum(model_predictions_total)"))?.first?.value == 5
        }
        #expect(arrived, "app log:\n\(app.log.suffix(2000))\nVigil log:\n\(vigil.process.log.suffix(2000))")

        let predictions = try await Self.expectTheFivePredictions(vigil)
        let first = try #require(predictions.first?.labels)
        #expect(first["job"] == "ml/iris-api")
        #expect(first["instance"] == instance)
        #expect(first["deployment_environment"] == "test", "promoted from the resource")
        #expect(first["model_version"] == nil, "not promoted")

        let requests = try await Self.vector(vigil, "http_server_requests_total")
        #expect(requests.first?.labels["http_route"] == "/predict")
        #expect(requests.first?.labels["http_response_status_code"] == "200")
        let median = try await Self.vector(vigil, "histogram_quantile(0.5, model_inference_duration_milliseconds_bucket)")
        #expect(median.first?.value == 7.5, "rank 2.5 of 5 lies halfway through (5, 10], which holds the third")

        #expect(try await Self.vector(vigil, "http_server_active_requests").first?.value == 0)
        #expect(try await Self.vector(vigil, "process_memory_usage_bytes").first?.value == 123_456_789)
        #expect(try await Self.vector(vigil, "model_confidence_ratio").first?.value == 0.9)

        let info = try #require(try await Self.vector(vigil, "target_info").first)
        #expect(info.value == 1)
        #expect(info.labels["job"] == "ml/iris-api")
        #expect(info.labels["instance"] == instance)
        #expect(info.labels["model_version"] == "3")
        #expect(info.labels["telemetry_sdk_language"] == "python")
        #expect(info.labels["service_name"] == nil, "identifying attributes make job and instance instead")
        // The usual join from an OTel series to its resource's attributes works.
        let joined = try await Self.vector(vigil, "sum by (species) (model_predictions_total) * on() group_left(model_version) max(target_info) by (model_version)")
        #expect(joined.count == 3 && joined.allSatisfy { $0.labels["model_version"] == "3" })
        #expect(!app.log.contains("Failed to export"), "\(app.log.suffix(2000))")
    }

    /// What five predictions of 3, 7, 30, 300 and 3 ms leave: per class, requests, and the
    /// duration histogram's buckets (the SDK's default bounds), count and sum. Returns the
    /// prediction counters.
    @discardableResult
    static func expectTheFivePredictions(_ vigil: VigilInstance) async throws -> [(labels: [String: String], value: Double)] {
        let predictions = try await vector(vigil, "model_predictions_total")
        #expect(Dictionary(uniqueKeysWithValues: predictions.map { ($0.labels["species"] ?? "", $0.value) })
            == ["setosa": 2, "versicolor": 2, "virginica": 1])
        let requests = try await vector(vigil, "http_server_requests_total")
        #expect(requests.count == 1 && requests.first?.value == 5, "\(requests)")
        let buckets = try await vector(vigil, "model_inference_duration_milliseconds_bucket")
        let byLE = Dictionary(uniqueKeysWithValues: buckets.map { ($0.labels["le"] ?? "", $0.value) })
        #expect(byLE["5"] == 2 && byLE["10"] == 3 && byLE["50"] == 4 && byLE["250"] == 4 && byLE["500"] == 5 && byLE["+Inf"] == 5, "\(byLE)")
        #expect(try await vector(vigil, "model_inference_duration_milliseconds_count").first?.value == 5)
        #expect(try await vector(vigil, "model_inference_duration_milliseconds_sum").first?.value == 343)
        return predictions
    }

    /// The SDK told to aggregate histograms as base-2 exponential histograms (its scale starts at
    /// 20 and comes down until the observations fit 160 buckets) sends them as such; Vigil stores
    /// native histograms whose every bucket holds exactly the observations between its bounds.
    @Test func theSDKsExponentialHistogramsAreStoredAsNativeHistograms() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.enable-otlp-receiver"])
        let (app, appBase) = try Self.startApp(vigil: vigil, gzip: false, environment: [
            "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION": "base2_exponential_bucket_histogram",
        ])
        defer { _ = app }
        let observations: [Double] = [3, 7, 30, 300, 3]
        let newest = try await Self.predictAndReadDurationHistogram(vigil, app, appBase)
        #expect(newest.hasPrefix("{__name__=\"model_inference_duration_milliseconds\""), "no _bucket series: a native histogram")
        // Every populated bucket `(lower,upper]:count` holds exactly the observations in it.
        var buckets = 0, counted = 0
        for entry in newest.split(separator: " ") where entry.hasPrefix("(") {
            let parts = entry.dropFirst().split(whereSeparator: { ",]:}".contains($0) })
            guard parts.count >= 3, let lower = Double(parts[0]), let upper = Double(parts[1]), let count = Int(parts[2]) else { continue }
            #expect(observations.filter { $0 > lower && $0 <= upper }.count == count, "\(entry)")
            buckets += 1
            counted += count
        }
        #expect(buckets == 4, "3 ms twice, then 7, 30 and 300 ms each in their own bucket: \(newest)")
        #expect(counted == 5)
        #expect(!app.log.contains("Failed to export"), "\(app.log.suffix(2000))")
    }

    /// Five predictions of 3, 7, 30, 300 and 3 ms (with a second's pause after the first
    /// `pauseAfter`, so the rest goes in a later export), then the newest line `vigil tsdb dump`
    /// prints for the duration metric once it holds all five (a native histogram's line).
    static func predictAndReadDurationHistogram(_ vigil: VigilInstance, _ app: ChildProcess, _ appBase: String, pauseAfter: Int? = nil) async throws -> String {
        let started = await eventually(timeout: .seconds(30)) { (try? await HTTP.request(appBase + "/predict?ms=3", method: "POST").status) == 200 }
        #expect(started, "\(app.log.suffix(2000))")
        for (i, ms) in [7, 30, 300, 3].enumerated() {
            if i + 1 == pauseAfter { try await Task.sleep(for: .seconds(1)) }
            _ = try await HTTP.request(appBase + "/predict?ms=\(ms)", method: "POST")
        }
        var newest = ""
        let arrived = await eventually(timeout: .seconds(30)) {
            let dump = (try? await runToolAsync(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(vigil.dir)/data",
                                                               "--match", "__name__=model_inference_duration_milliseconds"]))?.output ?? ""
            newest = dump.split(separator: "\n").last.map(String.init) ?? ""
            return newest.contains("{count:5, sum:343")
        }
        #expect(arrived, "newest: \(newest)\napp log:\n\(app.log.suffix(2000))\nVigil log:\n\(vigil.process.log.suffix(2000))")
        return newest
    }

    /// `--enable-feature=otlp-deltatocumulative`: the SDK told to prefer delta temporality sends
    /// each counter and histogram as what changed since its last export; Vigil adds the exports
    /// up into the series cumulative temporality gives (counts, buckets and sums as the first
    /// test's), exponential histograms too, whose scale the SDK starts afresh in every export.
    /// Without the flag the delta points are refused, as Prometheus refuses them.
    @Test func theSDKsDeltaTemporalityIsAddedUpWithTheFeatureAndRefusedWithout() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.enable-otlp-receiver", "--enable-feature=otlp-deltatocumulative"])
        let (app, appBase) = try Self.startApp(vigil: vigil, gzip: false, environment: ["OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "delta"])
        defer { _ = app }
        let started = await eventually(timeout: .seconds(30)) { (try? await HTTP.request(appBase + "/predict?ms=3", method: "POST").status) == 200 }
        #expect(started, "\(app.log.suffix(2000))")
        _ = try await HTTP.request(appBase + "/predict?ms=7", method: "POST")
        // Past at least two exports, so the rest arrives as a later delta.
        try await Task.sleep(for: .seconds(1))
        for ms in [30, 300, 3] { _ = try await HTTP.request(appBase + "/predict?ms=\(ms)", method: "POST") }
        let arrived = await eventually(timeout: .seconds(30)) {
            (try? await Self.vector(vigil, "sum(model_predictions_total)"))?.first?.value == 5
        }
        #expect(arrived, "app log:\n\(app.log.suffix(2000))\nVigil log:\n\(vigil.process.log.suffix(2000))")
        try await Self.expectTheFivePredictions(vigil)
        let exports = try await Self.vector(vigil, "count_over_time(model_predictions_total{species=\"setosa\"}[5m])")
        #expect((exports.first?.value ?? 0) >= 2, "setosa's two predictions came in two exports: \(exports)")
        // The up-down counter stays cumulative under the delta preference; it is stored as before.
        #expect(try await Self.vector(vigil, "http_server_active_requests").first?.value == 0)
        #expect(!app.log.contains("Failed to export"), "\(app.log.suffix(2000))")

        // Exponential histograms in delta exports.
        let exponentialVigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.enable-otlp-receiver", "--enable-feature=otlp-deltatocumulative"])
        let (exponentialApp, exponentialBase) = try Self.startApp(vigil: exponentialVigil, gzip: false, environment: [
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "delta",
            "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION": "base2_exponential_bucket_histogram",
        ])
        defer { _ = exponentialApp }
        let newest = try await Self.predictAndReadDurationHistogram(exponentialVigil, exponentialApp, exponentialBase, pauseAfter: 2)
        var counted = 0
        for entry in newest.split(separator: " ") where entry.hasPrefix("(") {
            let parts = entry.dropFirst().split(whereSeparator: { ",]:}".contains($0) })
            guard parts.count >= 3, let lower = Double(parts[0]), let upper = Double(parts[1]), let count = Int(parts[2]) else { continue }
            #expect([3.0, 7, 30, 300, 3].filter { $0 > lower && $0 <= upper }.count == count, "\(entry)")
            counted += count
        }
        #expect(counted == 5, "\(newest)")

        // Without the flag: refused, nothing stored under the counters' names.
        let refusing = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.enable-otlp-receiver"])
        let (deltaApp, deltaBase) = try Self.startApp(vigil: refusing, gzip: false, environment: ["OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "delta"])
        defer { _ = deltaApp }
        let deltaStarted = await eventually(timeout: .seconds(30)) { (try? await HTTP.request(deltaBase + "/predict?ms=3", method: "POST").status) == 200 }
        #expect(deltaStarted, "\(deltaApp.log.suffix(2000))")
        _ = try await HTTP.request(deltaBase + "/predict?ms=7", method: "POST")
        let gauges = await eventually(timeout: .seconds(30)) {
            (try? await Self.vector(refusing, "http_server_active_requests"))?.isEmpty == false
        }
        #expect(gauges, "the cumulative up-down counter arrives: \(deltaApp.log.suffix(1000))")
        try await Task.sleep(for: .seconds(1))
        #expect(try await Self.vector(refusing, "model_predictions_total").isEmpty)
        #expect(try await Self.vector(refusing, "model_inference_duration_milliseconds_count").isEmpty)
    }

    /// `convert_histograms_to_nhcb`: the SDK's explicit-bucket histogram is stored as one native
    /// histogram with its bounds as custom buckets.
    @Test func explicitBucketHistogramsBecomeCustomBucketNativeHistogramsWhenAsked() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\notlp:\n  convert_histograms_to_nhcb: true\n", extraArgs: ["--web.enable-otlp-receiver"])
        let (app, appBase) = try Self.startApp(vigil: vigil, gzip: false)
        defer { _ = app }
        let newest = try await Self.predictAndReadDurationHistogram(vigil, app, appBase)
        // The SDK's default bounds 0, 5, 10, 25, 50, 75, 100, 250, 500, …: 3 ms twice, then 7, 30 and 300.
        #expect(newest.contains("(0,5]:2, (5,10]:1, (25,50]:1, (250,500]:1}"), "\(newest)")
        let classic = try await runToolAsync(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(vigil.dir)/data",
                                                            "--match", "__name__=model_inference_duration_milliseconds_count"])
        #expect(classic.output.isEmpty, "no classic series beside it")
    }

    @Test func theUTF8StrategyKeepsTheSDKsNamesWithTheirSuffixes() async throws {
        let vigil = try await VigilInstance(config: """
            scrape_configs: []
            otlp:
              translation_strategy: NoUTF8EscapingWithSuffixes
              promote_resource_attributes: [deployment.environment]

            """, extraArgs: ["--web.enable-otlp-receiver"])
        let (app, appBase) = try Self.startApp(vigil: vigil, gzip: false)
        defer { _ = app }
        let started = await eventually(timeout: .seconds(30)) { (try? await HTTP.request(appBase + "/predict?ms=3", method: "POST").status) == 200 }
        #expect(started, "\(app.log.suffix(2000))")
        let arrived = await eventually(timeout: .seconds(30)) {
            (try? await Self.vector(vigil, #"sum({"model.predictions_total"})"#))?.first?.value == 1
        }
        #expect(arrived, "app log:\n\(app.log.suffix(2000))\nVigil log:\n\(vigil.process.log.suffix(2000))")
        let requests = try await Self.vector(vigil, #"{"http.server.requests_total"}"#)
        #expect(requests.first?.labels["http.route"] == "/predict")
        #expect(requests.first?.labels["deployment.environment"] == "test")
        #expect(try await Self.vector(vigil, #"{"model.inference.duration_milliseconds_count"}"#).first?.value == 1)
        #expect(try await Self.vector(vigil, #"{"process.memory.usage_bytes"}"#).first?.value == 123_456_789)
        #expect(try await Self.vector(vigil, #"{"model.confidence_ratio"}"#).first?.value == 0.9)
        #expect(try await Self.vector(vigil, "target_info").first?.labels["telemetry.sdk.language"] == "python")
    }

    @Test func badBodiesGetAnOTLPStatusAndTheReceiverIsOffUnlessEnabled() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.enable-otlp-receiver"])
        let bad = try await HTTP.request(vigil.base + "/api/v1/otlp/v1/metrics", method: "POST", body: "{\"resourceMetrics\": 7}")
        #expect(bad.status == 400)
        let status = try #require(bad.json as? [String: Any])
        #expect(status["code"] as? Int == 3)
        #expect((status["message"] as? String)?.contains("ExportMetricsServiceRequest") == true)
        let wrongType = try await HTTP.request(vigil.base + "/api/v1/otlp/v1/metrics", method: "POST", body: "x", contentType: "text/plain")
        #expect(wrongType.status == 415)
        let delta = """
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"jobs","sum":{"aggregationTemporality":1,"isMonotonic":true,
              "dataPoints":[{"timeUnixNano":"\(UInt64(Date().timeIntervalSince1970) * 1_000_000_000)","asInt":"1"}]}}]}]}]}
            """
        let partial = try await HTTP.request(vigil.base + "/api/v1/otlp/v1/metrics", method: "POST", body: delta)
        #expect(partial.status == 200)
        let answer = try #require((partial.json as? [String: Any])?["partialSuccess"] as? [String: Any])
        #expect(answer["rejectedDataPoints"] as? String == "1")
        #expect((answer["errorMessage"] as? String)?.contains("delta") == true)

        let off = try await VigilInstance(config: "scrape_configs: []\n")
        let reply = try await HTTP.request(off.base + "/api/v1/otlp/v1/metrics", method: "POST", body: "{}")
        #expect(reply.status == 404)
        #expect(reply.body.contains("--web.enable-otlp-receiver"))
    }
}
