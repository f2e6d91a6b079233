import Foundation
import Testing

/// The rule engine inside the real server: rules over a real prometheus_client target, the rules
/// and alerts APIs, and reloads that keep the old rules when the new file is broken.
@Suite(.serialized) struct RuleEngineIntegrationTests {
    @Test func evaluatesRulesServesThemAndSurvivesABrokenReload() async throws {
        let (api, apiPort) = try await startModelAPI(rate: 20)
        defer { _ = api }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rules = """
        groups:
          - name: model-api
            interval: 1s
            rules:
              - record: job:python_request_operations:rate5s
                expr: sum by (job) (rate(python_request_operations_total[5s]))
              - alert: ModelAPIUp
                expr: up{job="model-api"} == 1
                for: 2s
                labels:
                  severity: info
                annotations:
                  summary: the model API answers
        """
        try rules.write(toFile: dir + "/model.rules.yml", atomically: true, encoding: .utf8)
        let config = """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: ['*.rules.yml']
        scrape_configs:
          - job_name: model-api
            static_configs:
              - targets: ['127.0.0.1:\(apiPort)']
        """
        let vigil = try await VigilInstance(config: config, extraArgs: ["--web.enable-lifecycle"], dir: dir)

        // The recording rule's series appears and the alert goes pending, then firing.
        let recorded = try await eventually(timeout: .seconds(30)) {
            let r = try await HTTP.request(vigil.base + "/api/v1/query?query=job:python_request_operations:rate5s")
            return r.body.contains("\"job\":\"model-api\"") && r.body.contains("job:python_request_operations:rate5s")
        }
        #expect(recorded, "\(vigil.process.log.suffix(2000))")
        let firing = try await eventually(timeout: .seconds(30)) {
            let r = try await HTTP.request(vigil.base + "/api/v1/alerts")
            return r.body.contains("\"state\":\"firing\"")
        }
        #expect(firing, "\(vigil.process.log.suffix(2000))")
        let alerts = try await HTTP.request(vigil.base + "/api/v1/alerts")
        let alert = try #require((((alerts.json as? [String: Any])?["data"] as? [String: Any])?["alerts"] as? [[String: Any]])?.first)
        #expect((alert["labels"] as? [String: String])?["alertname"] == "ModelAPIUp")
        #expect((alert["labels"] as? [String: String])?["severity"] == "info")
        #expect((alert["annotations"] as? [String: String])?["summary"] == "the model API answers")
        #expect(alert["value"] as? String == "1e+00")
        #expect(try await HTTP.request(vigil.base + "/api/v1/query?query=ALERTS%7Balertstate%3D%22firing%22%7D").body.contains("ModelAPIUp"))

        let rulesReply = try await HTTP.request(vigil.base + "/api/v1/rules")
        let group = try #require((((rulesReply.json as? [String: Any])?["data"] as? [String: Any])?["groups"] as? [[String: Any]])?.first)
        #expect(group["name"] as? String == "model-api")
        #expect(group["interval"] as? Int == 1)
        let ruleList = try #require(group["rules"] as? [[String: Any]])
        #expect(ruleList.map { $0["type"] as? String } == ["recording", "alerting"])
        #expect(ruleList.allSatisfy { $0["health"] as? String == "ok" }, "\(rulesReply.body)")
        #expect(ruleList[0]["query"] as? String == "sum by (job) (rate(python_request_operations_total[5s]))")
        #expect(ruleList[1]["duration"] as? Int == 2)
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(metrics.contains("vigil_rule_group_last_duration_seconds{rule_group=\"\(dir)/model.rules.yml;model-api\"}"), "\(metrics)")
        #expect(metrics.contains("vigil_rule_group_rules{rule_group=\"\(dir)/model.rules.yml;model-api\"} 2"), "\(metrics)")
        let onlyAlerts = try await HTTP.request(vigil.base + "/api/v1/rules?type=alert")
        #expect(!onlyAlerts.body.contains("\"type\":\"recording\""))

        // A broken rule file: the reload fails and the running rules carry on.
        try "groups:\n  - name: model-api\n    rules:\n      - alert: Broken\n".write(toFile: dir + "/model.rules.yml", atomically: true, encoding: .utf8)
        let reload = try await HTTP.request(vigil.base + "/-/reload", method: "POST")
        #expect(reload.status == 500, "\(reload.body)")
        #expect(reload.body.contains("model.rules.yml:4"), "\(reload.body)")
        let still = try await HTTP.request(vigil.base + "/api/v1/rules")
        #expect(still.body.contains("ModelAPIUp"))
        #expect(try await HTTP.request(vigil.base + "/api/v1/alerts").body.contains("\"state\":\"firing\""))
    }
}
