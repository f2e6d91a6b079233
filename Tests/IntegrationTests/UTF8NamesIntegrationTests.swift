import Foundation
import Testing

/// UTF-8 metric and label names end to end, against the official prometheus_client (which
/// writes them as the scrape's `Accept` header asks) and Debian's Prometheus 2.42 (which federates
/// them from Vigil escaped, as it cannot read UTF-8 names).
@Suite(.serialized) struct UTF8NamesIntegrationTests {
    static let script = Paths.repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/utf8_target.py").path

    static func vector(_ vigil: VigilInstance, _ query: String) async throws -> [[String: String]] {
        let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let data = (try await HTTP.request(vigil.base + "/api/v1/query?query=" + q).json as? [String: Any])?["data"] as? [String: Any]
        return (data?["result"] as? [[String: Any]] ?? []).compactMap { $0["metric"] as? [String: String] }
    }

    /// prometheus_client's escaping of each name, as (metric name, label name).
    static func clientEscaping(_ scheme: String, _ names: [String]) async throws -> [String: (metric: String, label: String)] {
        let run = try await runToolAsync("/usr/bin/env", ["python3", script, "--escape", scheme] + names)
        let lines = run.output.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        var out: [String: (String, String)] = [:]
        for (name, parts) in zip(names, lines) where parts.count == 2 { out[name] = (parts[0], parts[1]) }
        return out
    }

    @Test func utf8NamesAreScrapedQueriedRecordedAndFederatedAsEachReaderAsks() async throws {
        let port = freePort()
        let target = try ChildProcess(name: "utf8-target", executable: "/usr/bin/env", arguments: ["python3", Self.script, "\(port)"])
        defer { _ = target }
        let dir = Paths.tempDirectory()
        try """
            groups:
              - name: utf8
                interval: 1s
                rules:
                  - record: "model.requests:sum"
                    expr: sum by ("http.status") ({"my.requests_total", job="utf8"})

            """.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        let vigil = try await VigilInstance(config: """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: [\(dir)/rules.yml]
            scrape_configs:
              - job_name: utf8
                static_configs: [{targets: ["127.0.0.1:\(port)"]}]
              - job_name: legacy
                metric_name_validation_scheme: legacy
                static_configs: [{targets: ["127.0.0.1:\(port)"]}]
              - job_name: dots
                metric_name_validation_scheme: legacy
                metric_name_escaping_scheme: dots
                static_configs: [{targets: ["127.0.0.1:\(port)"]}]
              - job_name: relabeled
                static_configs: [{targets: ["127.0.0.1:\(port)"]}]
                metric_relabel_configs:
                  - {source_labels: ["http.status"], target_label: "status.code"}
                  - {action: labeldrop, regex: "http\\\\.status"}

            """, dir: dir)

        let recorded = await eventually(timeout: .seconds(30)) { ((try? await Self.vector(vigil, #"{"model.requests:sum"}"#)) ?? []).count == 1 }
        #expect(recorded, "\(vigil.process.log.suffix(2000))")
        let utf8 = try await Self.vector(vigil, #"{"my.requests_total", job="utf8", "http.status"="200"}"#)
        #expect(utf8.count == 1)
        #expect(utf8.first?["__name__"] == "my.requests_total")
        #expect(try await Self.vector(vigil, #"sum by ("model.version") ({"model.confidence"})"#).first == ["model.version": "3"])
        #expect(try await Self.vector(vigil, #"{"model.requests:sum"}"#).first?["http.status"] == "200")
        // The legacy jobs asked the client to escape, each its own way.
        #expect(try await Self.vector(vigil, #"my_requests_total{job="legacy", http_status="200"}"#).count == 1)
        #expect(try await Self.vector(vigil, #"my_dot_requests__total{job="dots", http_dot_status="200"}"#).count == 1)
        // Relabeled from one UTF-8 label name to another.
        let relabeled = try await Self.vector(vigil, #"{"my.requests_total", job="relabeled"}"#)
        #expect(relabeled.count == 1 && relabeled.first?["status.code"] == "200" && relabeled.first?["http.status"] == nil, "\(relabeled)")
        let values = try await HTTP.request(vigil.base + "/api/v1/label/U__http_2e_status/values")
        #expect(values.body.contains("\"200\""), "\(values.body)")

        // Federation: quoted names for a reader that takes them, else escaped as the client escapes.
        let match = "match%5B%5D=%7Bjob%3D%22utf8%22%7D"
        let quoted = try await HTTP.request(vigil.base + "/federate?" + match, headers: [("Accept", "text/plain;version=1.0.0;escaping=allow-utf-8")])
        #expect(quoted.body.contains(#"{"my.requests_total","http.status"="200",instance="127.0.0.1:\#(port)",job="utf8"} 3 "#), "\(quoted.body)")
        #expect(quoted.body.contains(#"# TYPE "my.requests_total" untyped"#))
        let names = ["my.requests_total", "http.status", "model.confidence", "model.version"]
        for scheme in ["underscores", "dots", "values"] {
            let expected = try await Self.clientEscaping(scheme, names)
            try #require(expected.count == names.count)
            let accept = scheme == "underscores" ? [] : [("Accept", "text/plain;version=1.0.0;escaping=\(scheme)")]
            let page = try await HTTP.request(vigil.base + "/federate?" + match, headers: accept).body
            let metric = try #require(expected["my.requests_total"]?.metric), label = try #require(expected["http.status"]?.label)
            #expect(page.contains("\(metric){\(label)=\"200\""), "\(scheme): expected \(metric){\(label)=...} in\n\(page)")
            let gauge = try #require(expected["model.confidence"]?.metric), version = try #require(expected["model.version"]?.label)
            #expect(page.contains("\(gauge){instance=") || page.contains("\(gauge){"), "\(scheme): \(gauge) in\n\(page)")
            #expect(page.contains("\(version)=\"3\""), "\(scheme): \(version) in\n\(page)")
        }

        // Prometheus 2.42, which knows no UTF-8 names, federates them from Vigil escaped.
        let (prom, promBase, promDir) = try await startPrometheus(config: """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: federate
                honor_labels: true
                metrics_path: /federate
                params: {"match[]": ['{job="utf8"}']}
                static_configs: [{targets: ["127.0.0.1:\(vigil.port)"]}]

            """)
        defer { _ = prom; try? FileManager.default.removeItem(atPath: promDir) }
        let federated = await eventually(timeout: .seconds(30)) {
            let reply = await HTTP.get(promBase + "/api/v1/query?query=my_requests_total%7Bhttp_status%3D%22200%22%7D")
            return reply?.body.contains("\"job\":\"utf8\"") == true
        }
        #expect(federated, "\(prom.log.suffix(2000))")
    }
}
