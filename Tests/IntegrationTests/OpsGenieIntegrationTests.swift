import Foundation
import Testing

/// OpsGenie notifications against a stand-in for OpsGenie's Alert API (OpsGenie cannot be
/// reached from here) that holds every request to the contract OpsGenie publishes
/// (`Support/opsgenie_standin.py`): alerts created under the group key's hash as alias,
/// responders, tags, priority and details, updates with `update_alerts`, and closed on resolve.
@Suite(.serialized) struct OpsGenieIntegrationTests {
    @Test func alertsAreCreatedUpdatedAndClosedByAlias() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let og = try await ChatServiceStandIn(script: "opsgenie_standin.py", dir: dir)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            global: {opsgenie_api_key: opsgenie-test-key, opsgenie_api_url: '\(og.url("/"))'}
            route: {receiver: oncall, group_by: [alertname], group_wait: 300ms, group_interval: 1s, repeat_interval: 1h}
            receivers:
              - name: oncall
                opsgenie_configs:
                  - {}
                  - message: '{{ .CommonLabels.model }}: {{ .CommonAnnotations.summary }}'
                    priority: P2
                    tags: 'ml, {{ .CommonLabels.model }}'
                    actions: 'restart,rollback'
                    note: 'runbook: http://wiki.test/drift'
                    entity: '{{ .CommonLabels.instance }}'
                    details: {model: '{{ .CommonLabels.model }}'}
                    responders:
                      - {name: ml-team, type: team}
                      - {name: 'data-eng, platform', type: teams}
                      - {username: oncall@example.com, type: user}
                    update_alerts: true
                    send_resolved: false
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000"},"annotations":{"summary":"prediction mix drifted"}}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { og.requests.count == 4 }, "\(vigil.process.log.suffix(2000))")
        for r in og.requests { #expect(r.problems.isEmpty, "\(r.path): \(r.problems)") }
        #expect(og.requests.allSatisfy { $0.authorization == "GenieKey opsgenie-test-key" })
        let alias = try PagerDutyIntegrationTests.hash(#"{}:{alertname="PredictionDrift"}"#)

        let creates = og.requests.filter { $0.path == "/v2/alerts" }.map(\.payload)
        #expect(creates.count == 2)
        let byDefault = try #require(creates.first { $0["priority"] == nil })
        #expect(byDefault["alias"] as? String == alias)
        #expect(byDefault["message"] as? String == "[FIRING:1] PredictionDrift (api:8000 iris)")
        #expect((byDefault["description"] as? String)?.contains("prediction mix drifted") == true)
        #expect(byDefault["source"] as? String == "http://vigil.test:9090/#/alerts?receiver=oncall")
        let custom = try #require(creates.first { $0["priority"] != nil })
        #expect(custom["message"] as? String == "iris: prediction mix drifted")
        #expect(custom["priority"] as? String == "P2")
        #expect(custom["tags"] as? [String] == ["ml", "iris"])
        #expect(custom["actions"] as? [String] == ["restart", "rollback"])
        #expect(custom["entity"] as? String == "api:8000")
        #expect(custom["details"] as? [String: String] == ["model": "iris"])
        #expect(custom["responders"] as? [[String: String]] == [
            ["name": "ml-team", "type": "team"], ["name": "data-eng", "type": "team"], ["name": "platform", "type": "team"],
            ["username": "oncall@example.com", "type": "user"],
        ])
        let updates = og.requests.map(\.path).filter { $0.hasPrefix("/v2/alerts/") }.sorted()
        #expect(updates == ["/v2/alerts/\(alias)/description?identifierType=alias", "/v2/alerts/\(alias)/message?identifierType=alias"])

        // Resolved: the alert is closed by its alias (by the entry that sends resolved ones).
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000"},"endsAt":"2020-01-01T00:00:00Z"}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { og.requests.count == 5 }, "\(vigil.process.log.suffix(2000))")
        try await Task.sleep(for: .seconds(2))
        #expect(og.requests.count == 5)
        let close = try #require(og.requests.last)
        #expect(close.problems.isEmpty, "\(close.problems)")
        #expect(close.path == "/v2/alerts/\(alias)/close?identifierType=alias")
        let status = try await HTTP.request(vigil.base + "/api/v2/status").body
        #expect(!status.contains("opsgenie-test-key"), "the API key is a credential: \(status.prefix(2000))")
    }

    @Test func rateLimitedRequestsAreRetried() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let og = try await ChatServiceStandIn(script: "opsgenie_standin.py", dir: dir, failFirst: 2)
        try "opsgenie-test-key\n".write(toFile: dir + "/opsgenie.key", atomically: true, encoding: .utf8)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            route: {receiver: oncall, group_wait: 200ms, group_interval: 30s}
            receivers:
              - name: oncall
                opsgenie_configs: [{api_key_file: '\(dir)/opsgenie.key', api_url: '\(og.url("/"))', message: '{{ .CommonAnnotations.summary }}'}]
            """, dir: dir)
        let long = String(repeating: "drift ", count: 100)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"Flaky"},"annotations":{"summary":"\#(long)"}}]"#)
        #expect(try await eventually(timeout: .seconds(20)) { og.requests.count == 1 }, "\(vigil.process.log.suffix(2000))")
        let request = try #require(og.requests.first)
        #expect(request.problems.isEmpty, "\(request.problems)")
        #expect((request.payload["message"] as? String)?.count == 130)
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(metrics.contains("vigil_alertmanager_notification_requests_failed_total{integration=\"opsgenie\"} 2"), "\(metrics)")
    }
}
