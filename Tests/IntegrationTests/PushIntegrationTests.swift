import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// The push API against the real Pushgateway: the same pushes from the official Python client
/// (text) and from protobuf bodies get the same answers from both, and what Vigil stores is what
/// the real Prometheus stores when it scrapes that Pushgateway with `honor_labels: true`.
@Suite(.serialized) struct PushIntegrationTests {
    /// The jobs the scenario pushes to.
    static let jobs = #"{job=~"training|spark-etl|nightly/report|etl|emptied|stamped|conflict|garbage|bad|compressed"}"#

    @Test func pushesStoreWhatPrometheusStoresFromTheRealPushgateway() async throws {
        let (gateway, gatewayBase, gatewayAddress) = try await startPushgateway()
        #expect(gateway.isRunning)
        defer { _ = gateway }
        let (prom, promBase, promDir) = try await startPrometheus(config: """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: pushgateway
                honor_labels: true
                static_configs: [{targets: ['\(gatewayAddress)']}]

            """)
        defer { _ = prom; try? FileManager.default.removeItem(atPath: promDir) }
        // Jobs push to a Pushgateway's own port: Vigil serves the same endpoints there too.
        let pushPort = freePort()
        let vigil = try await VigilInstance(config: "global: {scrape_interval: 1s}\nscrape_configs: []\n",
                                            extraArgs: ["--web.enable-push-api", "--push.listen-address=127.0.0.1:\(pushPort)"])

        let theirs = try await Self.runScenario(gatewayBase)
        let ours = try await Self.runScenario("http://127.0.0.1:\(pushPort)")
        #expect(ours == theirs)
        // The JSON listing the Pushgateway's UI and scripts read: the same groups, families,
        // types, HELP, labels and values (push times compared only by whether they are set).
        let theirGroups = try Self.listedGroups(try await HTTP.request(gatewayBase + "/api/v1/metrics").body)
        let ourGroups = try Self.listedGroups(try await HTTP.request("http://127.0.0.1:\(pushPort)/api/v1/metrics").body)
        #expect(theirGroups.count >= 5, "\(theirGroups)")
        for (a, b) in zip(theirGroups, ourGroups) where a != b { Issue.record("Pushgateway:\n\(a)\nVigil:\n\(b)") }
        #expect(theirGroups.count == ourGroups.count)
        #expect(theirs.contains("[\"put protobuf\", 200]") || theirs.contains("[\"put protobuf\",200]"))

        // Once Prometheus has scraped the Pushgateway after the last push, it holds what the
        // Pushgateway exposes (its first targets can take five seconds to be discovered).
        let pushedBy = Date().timeIntervalSince1970 + 0.5
        let scraped = await eventually(timeout: .seconds(30)) {
            guard let last = try? await Self.value(promBase, #"timestamp(up{job="pushgateway"})"#), let t = Double(last) else { return false }
            return t > pushedBy
        }
        #expect(scraped, "Prometheus did not scrape the Pushgateway: \(prom.log.suffix(2000))")
        let expected = try await Self.stored(promBase)
        let got = try await Self.stored(vigil.base)
        if expected.count < 50 {
            let targets = (try? await HTTP.request(promBase + "/api/v1/targets"))?.body ?? ""
            Issue.record("Prometheus stored only \(expected.count) series; its targets: \(targets.prefix(3000))")
        }
        for series in Set(expected.keys).union(got.keys).sorted() where expected[series] != got[series] {
            Issue.record("\(series): Prometheus \(expected[series] ?? "absent"), Vigil \(got[series] ?? "absent")")
        }
        // HELP and TYPE of what was pushed, as Prometheus lists them from the Pushgateway.
        for name in ["python_request_operations_total", "python_processing_time_seconds", "training_loss", "model_info",
                     "etl_rows_processed_total", "etl_row_bytes", "etl_batch_seconds", "spark_job_duration_seconds"] {
            let theirs = try await HTTP.request(promBase + "/api/v1/metadata?metric=" + name).json as? [String: Any]
            let ours = try await HTTP.request(vigil.base + "/api/v1/metadata?metric=" + name).json as? [String: Any]
            let expected = (theirs?["data"] as? [String: Any])?[name] as? [[String: String]]
            #expect(expected?.isEmpty == false, "Prometheus has no metadata for \(name)")
            #expect((ours?["data"] as? [String: Any])?[name] as? [[String: String]] == expected, "metadata of \(name)")
        }
        // The shapes teams push: per-class counters, a labelled counter, the histogram's buckets.
        #expect(got[#"{"__name__":"python_iris_setosa_predictions_total","instance":"worker-1","job":"training","model":"résumé","stage":"train/epoch 3"}"#] == "17")
        #expect(got[#"{"__name__":"python_request_operations_total","instance":"worker-1","job":"training","model":"résumé","stage":"train/epoch 3"}"#] == "50")
        #expect(got[#"{"__name__":"etl_row_bytes_bucket","instance":"host-a","job":"etl","le":"1e+06"}"#] == "19")
    }

    @Test func pushedGroupsSurviveARestartAndExpire() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = "global: {scrape_interval: 1s}\nscrape_configs: []\n"
        var vigil: VigilInstance? = try await VigilInstance(config: config, extraArgs: ["--web.enable-push-api"], dir: dir)
        let base = vigil!.base
        let put = try await HTTP.request(base + "/metrics/job/nightly/instance/runner-1", method: "PUT",
                                         body: "# TYPE batch_rows gauge\nbatch_rows 1234\n", contentType: "text/plain; version=0.0.4")
        #expect(put.status == 200)
        let pushed = try await Self.value(base, "push_time_seconds{job=\"nightly\"}")
        #expect(pushed != nil)
        // A damaged compressed body is refused and the group keeps its metrics (the Pushgateway
        // 1.5 answers 200 and empties the group).
        var damaged = HTTPClientRequest(url: base + "/metrics/job/nightly/instance/runner-1")
        damaged.method = .PUT
        damaged.headers.add(name: "Content-Encoding", value: "gzip")
        damaged.body = .bytes(ByteBuffer(bytes: [0x1F, 0x8B, 0x08, 0x00] + Array("garbage".utf8)))
        let refused = try await HTTP.client.execute(damaged, timeout: .seconds(5))
        #expect(refused.status.code == 400)
        #expect(try await Self.value(base, #"batch_rows{job="nightly"}"#) == "1234")
        #expect(await vigil!.metric("vigil_push_groups") == 1)
        #expect(await vigil!.metric("vigil_push_requests_total{outcome=\"refused\"}") == 0)
        // Pushes without the flag are refused, not silently dropped.
        let other = try await VigilInstance(config: config)
        #expect(try await HTTP.request(other.base + "/metrics/job/x", method: "PUT", body: "a 1\n", contentType: "text/plain").status == 404)

        // Restarted, the group is back and stored again (samples newer than the restart)...
        vigil?.process.signal(SIGTERM)
        _ = await vigil?.process.waitForExit()
        vigil = nil
        let restartedAt = Date().timeIntervalSince1970
        var restarted: VigilInstance? = try await VigilInstance(config: config, extraArgs: ["--web.enable-push-api"], dir: dir)
        let back = await eventually(timeout: .seconds(10)) {
            guard let t = try? await Self.value(restarted!.base, #"timestamp(batch_rows{job="nightly",instance="runner-1"})"#) else { return false }
            return (Double(t) ?? 0) > restartedAt
        }
        #expect(back)
        #expect(try await Self.value(restarted!.base, #"batch_rows{job="nightly",instance="runner-1"}"#) == "1234")
        #expect(try await Self.value(restarted!.base, "push_time_seconds{job=\"nightly\"}") == pushed)
        restarted?.process.signal(SIGTERM)
        _ = await restarted?.process.waitForExit()
        restarted = nil

        // ...and with --push.expire-after shorter than its age, it expires at once after a
        // restart: its series go stale (no five-minute lookback of the old samples).
        try await Task.sleep(for: .seconds(2))
        let expiring = try await VigilInstance(config: config, extraArgs: ["--web.enable-push-api", "--push.expire-after=1s"], dir: dir)
        let gone = await eventually(timeout: .seconds(15)) {
            do { return try await Self.value(expiring.base, "batch_rows") == nil } catch { return false }
        }
        #expect(gone)
        let saved = await eventually(timeout: .seconds(5)) {
            ((try? String(contentsOfFile: dir + "/data/push-groups.json", encoding: .utf8)) ?? "nightly").contains("nightly") == false
        }
        #expect(saved)
    }

    @Test func theExampleTrainingJobReportsEveryEpochAndItsSuccess() async throws {
        let vigil = try await VigilInstance(config: "global: {scrape_interval: 1s}\nscrape_configs: []\n", extraArgs: ["--web.enable-push-api"])
        let script = Paths.repoRoot.appendingPathComponent("examples/training-job/train.py").path
        let run = try await runToolAsync("/usr/bin/env", ["python3", script, "--gateway", "127.0.0.1:\(vigil.port)", "--epochs", "3",
                                                           "--sleep", "0", "--instance", "runner"])
        #expect(run.status == 0, "\(run.output)")
        let labels = #"{job="iris-training",model="iris",instance="runner"}"#
        #expect(try await Self.value(vigil.base, "training_epoch" + labels) == "3")
        #expect(try await Self.value(vigil.base, "training_samples_total" + labels) == "1500")
        #expect(try await Self.value(vigil.base, "sum(training_class_samples_total" + labels + ")") == "1500")
        let age = try await Self.value(vigil.base, "time() - training_last_success_unixtime" + labels).flatMap(Double.init)
        #expect(age.map { $0 >= -1 && $0 < 60 } == true)
        // Every epoch was stored as it was pushed, not only the last: the gauge went from 1 to 3.
        #expect(try await Self.value(vigil.base, "min_over_time(training_epoch" + labels + "[1m])") == "1")
        #expect(try await Self.value(vigil.base, "max_over_time(training_epoch" + labels + "[1m])") == "3")
    }

    /// Prometheus 3's UTF-8 names in a push: quoted in the body, `U__`-escaped in the path (as the
    /// Pushgateway takes them), queried back by their quoted names.
    @Test func utf8NamesArePushedQuotedInTheBodyAndEscapedInThePath() async throws {
        let vigil = try await VigilInstance(config: "global: {scrape_interval: 1s}\nscrape_configs: []\n", extraArgs: ["--web.enable-push-api"])
        let body = "# TYPE \"model.accuracy\" gauge\n{\"model.accuracy\",\"data.split\"=\"eval\"} 0.93\n"
        let pushed = try await HTTP.request(vigil.base + "/metrics/job/training/U__run_2e_id/7", method: "PUT", body: body, contentType: "text/plain; version=1.0.0")
        #expect(pushed.status == 200, "\(pushed.body)")
        #expect(try await Self.value(vigil.base, #"{"model.accuracy","run.id"="7","data.split"="eval",job="training"}"#) == "0.93")
        let refused = try await HTTP.request(vigil.base + "/metrics/job/training/run.id/7", method: "PUT", body: body, contentType: "text/plain; version=1.0.0")
        #expect(refused.status == 400 && refused.body.contains("improper label name"), "\(refused.body)")
    }

    @Test func theFlagRejectsAnExpiryShorterThanASecond() throws {
        let result = try runTool(Paths.vigil, ["--web.enable-push-api", "--push.expire-after=10ms", "--config.file=/nonexistent"])
        #expect(result.status != 0)
        #expect(result.output.contains("push.expire-after"))
    }

    /// The groups of a `/api/v1/metrics` answer as canonical JSON, sorted: push times reduced to
    /// whether they are set, `time_stamp`s left out, each family's metrics sorted.
    static func listedGroups(_ body: String) throws -> [String] {
        let root = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let groups = root?["data"] as? [[String: Any]] ?? []
        func canonical(_ value: Any) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]), as: UTF8.self)
        }
        return try groups.map { group in
            var out: [String: Any] = [:]
            for (key, value) in group {
                guard var family = value as? [String: Any], let metrics = family["metrics"] as? [[String: Any]] else { out[key] = value; continue }
                family["time_stamp"] = nil
                var normalized = metrics
                if key.hasPrefix("push_") {
                    for i in normalized.indices { normalized[i]["value"] = (normalized[i]["value"] as? String) == "0" ? "0" : "set" }
                }
                family["metrics"] = try normalized.map { try canonical($0) }.sorted()
                out[key] = family
            }
            return try canonical(out)
        }.sorted()
    }

    /// The scenario's step names and statuses, as printed.
    static func runScenario(_ gateway: String) async throws -> String {
        let result = try await runToolAsync("/usr/bin/env", ["python3", Paths.pushScenario, "--gateway", gateway,
                                                              "--protos", Paths.repoRoot.appendingPathComponent("Protos").path])
        guard result.status == 0, let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("[") }) else {
            throw PeerError("push scenario failed against \(gateway): \(result.output)")
        }
        return String(line)
    }

    /// Every series of the scenario's jobs now, by its labels as sorted JSON; the two push-time
    /// series compare only by whether they are set.
    static func stored(_ base: String) async throws -> [String: String] {
        let query = jobs.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let reply = try await HTTP.request(base + "/api/v1/query?query=" + query)
        let data = (reply.json as? [String: Any])?["data"] as? [String: Any]
        var out: [String: String] = [:]
        for item in data?["result"] as? [[String: Any]] ?? [] {
            guard let metric = item["metric"] as? [String: String], let value = (item["value"] as? [Any])?.last as? String else { continue }
            let name = metric["__name__"] ?? ""
            let key = String(decoding: try JSONSerialization.data(withJSONObject: metric, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
            out[key] = name.hasPrefix("push_") ? (value == "0" ? "0" : "set") : value
        }
        return out
    }

    /// The value of an instant query's first series (nil when it has none); throws when the
    /// query itself fails.
    static func value(_ base: String, _ query: String) async throws -> String? {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let reply = try await HTTP.request(base + "/api/v1/query?query=" + encoded)
        guard let data = (reply.json as? [String: Any])?["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw PeerError("query \(query) failed: \(reply.body)")
        }
        return (result.first?["value"] as? [Any])?.last as? String
    }
}
