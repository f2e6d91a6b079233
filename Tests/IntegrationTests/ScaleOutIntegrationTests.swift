import Foundation
import Testing

/// Scale-out without a cluster of Vigil's own: a real Prometheus federates from Vigil, a Vigil
/// agent sends everything it scrapes to VictoriaMetrics, and hashmod-sharded Vigils together
/// store every series of one target list exactly once.
@Suite(.serialized) struct ScaleOutIntegrationTests {
    @Test func aRealPrometheusFederatesFromVigilWithHonorLabels() async throws {
        let prometheus = try debianPrometheus()
        let (api, apiPort) = try await startModelAPI()
        defer { _ = api }
        let vigil = try await VigilInstance(config: """
            global: {scrape_interval: 1s, external_labels: {replica: edge-1}}
            scrape_configs:
              - job_name: model-api
                static_configs: [{targets: ['127.0.0.1:\(apiPort)']}]
            """)
        #expect(try await eventually(timeout: .seconds(20)) { try await vigil.health(of: "model-api") == "up" })

        // What a federating Prometheus reads: text format, external labels, one sample each.
        let match = #"{job="model-api"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let page = try await HTTP.request(vigil.base + "/federate?match%5B%5D=" + match)
        #expect(page.status == 200)
        #expect(page.body.contains("# TYPE python_iris_predictions_total untyped"))
        // Each class's counter appears with its first prediction: any one of them will do.
        #expect(page.body.contains(#"python_iris_predictions_total{instance="127.0.0.1:\#(apiPort)",job="model-api",replica="edge-1",species=""#), "\(page.body.prefix(800))")
        #expect(page.body.split(separator: "\n").filter { !$0.hasPrefix("#") }.allSatisfy { $0.split(separator: " ").count == 3 }, "value and timestamp on every line")
        #expect(try await HTTP.request(vigil.base + "/federate").status == 400)
        #expect(try await HTTP.request(vigil.base + "/federate?match%5B%5D=up%7B").status == 400)

        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: federate
                honor_labels: true
                metrics_path: /federate
                params: {'match[]': ['{job="model-api"}']}
                static_configs: [{targets: ['127.0.0.1:\(vigil.port)']}]
            """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let promPort = freePort()
        let prom = try ChildProcess(name: "prometheus-federating", executable: prometheus, arguments: [
            "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(promPort)",
        ])
        defer { _ = prom }
        let query = #"python_iris_predictions_total{job="model-api",replica="edge-1"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        #expect(try await eventually(timeout: .seconds(30)) {
            let body = (try? await HTTP.request("http://127.0.0.1:\(promPort)/api/v1/query?query=" + query).body) ?? ""
            return body.contains(#""species":"#) && body.contains(#""instance":"127.0.0.1:\#(apiPort)""#)
        }, "the federated series keep their own job and instance: \(prom.log.suffix(1500))")
        let up = try await HTTP.request("http://127.0.0.1:\(promPort)/api/v1/query?query=up%7Bjob%3D%22federate%22%7D").body
        #expect(up.contains(#""value":["#) && up.contains(#","1"]"#), "\(up)")
    }

    /// Two Vigil agents share four model-API targets by `hashmod` of the address and remote-write
    /// to one VictoriaMetrics: each target is scraped by exactly one agent, every series is stored
    /// once, and the agents answer queries with 422, as Prometheus agents do.
    @Test func hashmodShardedAgentsStoreEverySeriesExactlyOnce() async throws {
        var apis: [ChildProcess] = []
        var targets: [String] = []
        for _ in 0..<4 {
            let (api, port) = try await startModelAPI()
            apis.append(api)
            targets.append("127.0.0.1:\(port)")
        }
        defer { _ = apis }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let vmPort = freePort()
        let vm = try await RemoteWriteSenderIntegrationTests.startVictoriaMetrics(dir: dir + "/vm", port: vmPort)
        defer { _ = vm }
        let vmBase = "http://127.0.0.1:\(vmPort)"
        func config(shard: Int) -> String {
            """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: model-api
                static_configs: [{targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]}]
                relabel_configs:
                  - {source_labels: [__address__], modulus: 2, target_label: __tmp_shard, action: hashmod}
                  - {source_labels: [__tmp_shard], regex: "\(shard)", action: keep}
            remote_write:
              - url: \(vmBase)/api/v1/write
                queue_config: {batch_send_deadline: 1s}
            """
        }
        var agents: [VigilInstance] = []
        for shard in 0..<2 {
            let agentDir = dir + "/agent-\(shard)"
            try FileManager.default.createDirectory(atPath: agentDir, withIntermediateDirectories: true)
            agents.append(try await VigilInstance(config: config(shard: shard), extraArgs: ["--agent", "--storage.agent.path=\(agentDir)/wal"], dir: agentDir))
        }
        // Each target belongs to exactly one agent.
        var scraped: [String] = []
        for agent in agents {
            scraped += try await agent.activeTargets().compactMap { ($0["labels"] as? [String: String])?["instance"] }
        }
        #expect(scraped.sorted() == targets.sorted(), "every target once across the shards")
        #expect(FileManager.default.fileExists(atPath: dir + "/agent-0/wal/vigil-wal"), "the agent keeps its WAL at --storage.agent.path")

        // Agents do not answer queries.
        let refused = try await HTTP.request(agents[0].base + "/api/v1/query?query=up")
        #expect(refused.status == 422 && refused.body.contains("agent mode"))
        #expect(await HTTP.get(agents[0].base + "/-/ready")?.status == 200)

        // VictoriaMetrics holds each target's series once.
        let count = "count by (instance) (up{job=\"model-api\"})".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        #expect(try await eventually(timeout: .seconds(30)) {
            let body = (try? await HTTP.request(vmBase + "/api/v1/query?query=" + count).json) as? [String: Any]
            let result = (body?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
            let perInstance = Dictionary(uniqueKeysWithValues: result.compactMap { r -> (String, String)? in
                guard let instance = (r["metric"] as? [String: String])?["instance"], let value = (r["value"] as? [Any])?.last as? String else { return nil }
                return (instance, value)
            })
            return perInstance.keys.sorted() == targets.sorted() && perInstance.values.allSatisfy { $0 == "1" }
        }, "\(agents[0].process.log.suffix(800))")

        // Rule files have no place in an agent, as in Prometheus.
        try "rule_files: [r.yml]\nscrape_configs: []\n".write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        let refusedConfig = try ChildProcess(name: "vigil-agent", executable: Paths.vigil, arguments: [
            "--agent", "--config.file=\(dir)/rules.yml", "--storage.agent.path=\(dir)/refused", "--web.listen-address=127.0.0.1:\(freePort())",
        ])
        #expect(await refusedConfig.waitForExit() != 0)
        #expect(refusedConfig.log.contains("rule_files is not allowed in agent mode"), "\(refusedConfig.log)")
    }
}
