import Foundation
import Testing

/// Slack notifications against a stand-in for Slack's incoming webhooks (Slack cannot be reached
/// from here) that holds every request to the contract Slack publishes
/// (`Tests/IntegrationTests/Support/slack_standin.py`): Alertmanager's defaults, the configured
/// fields and actions, resolved messages with `send_resolved`, and retries of a failing Slack.
@Suite(.serialized) struct SlackIntegrationTests {
    static let webhookPath = "/services/T000/B000/XXXX"

    static func attachment(_ payload: [String: Any]) -> [String: Any] {
        (payload["attachments"] as? [[String: Any]])?.first ?? [:]
    }

    @Test func messagesFollowAlertmanagersDefaultsAndTheConfiguredFields() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let slack = try await ChatServiceStandIn(script: "slack_standin.py", dir: dir)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            global:
              slack_api_url: '\(slack.url(Self.webhookPath))'
            route: {receiver: team, group_by: [alertname], group_wait: 300ms, group_interval: 1s, repeat_interval: 1h}
            receivers:
              - name: team
                slack_configs:
                  - channel: '#ml-alerts'
                    send_resolved: true
                  - api_url: '\(slack.url(Self.webhookPath))'
                    title: '{{ .CommonLabels.alertname }} on {{ .CommonLabels.model }}'
                    text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}'
                    color: '{{ if eq .Status "firing" }}#d63232{{ else }}#2eb886{{ end }}'
                    short_fields: true
                    fields:
                      - {title: Model, value: '{{ .CommonLabels.model }}'}
                      - {title: Runbook, value: 'https://runbooks.example/{{ .CommonLabels.alertname }}', short: false}
                    actions:
                      - {type: button, text: 'Silence', url: '{{ template "__alertmanagerURL" . }}', style: danger}
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000"},"annotations":{"summary":"prediction mix drifted"}}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { slack.requests.count == 2 }, "\(vigil.process.log.suffix(2000))")
        for r in slack.requests { #expect(r.problems.isEmpty, "\(r.problems)") }
        let byDefault = try #require(slack.requests.first { $0.payload["channel"] as? String == "#ml-alerts" })
        #expect(byDefault.payload["username"] as? String == "Vigil")
        let a = Self.attachment(byDefault.payload)
        #expect(a["title"] as? String == "[FIRING:1] PredictionDrift (api:8000 iris)")
        #expect(a["color"] as? String == "danger")
        #expect((a["title_link"] as? String)?.hasPrefix("http://vigil.test:9090/#/alerts?receiver=team") == true, "\(a)")
        #expect((a["fallback"] as? String)?.hasPrefix("[FIRING:1] PredictionDrift (api:8000 iris) | http://vigil.test:9090/") == true)
        #expect((a["text"] as? String)?.contains("prediction mix drifted (api:8000)") == true, "\(a)")
        #expect(a["mrkdwn_in"] as? [String] == ["fallback", "pretext", "text"])

        let custom = try #require(slack.requests.first { $0.payload["channel"] == nil })
        let c = Self.attachment(custom.payload)
        #expect(c["title"] as? String == "PredictionDrift on iris")
        #expect(c["text"] as? String == "prediction mix drifted")
        #expect(c["color"] as? String == "#d63232")
        let fields = c["fields"] as? [[String: Any]] ?? []
        #expect(fields.count == 2)
        #expect(fields.first?["value"] as? String == "iris" && fields.first?["short"] as? Bool == true)
        #expect(fields.last?["value"] as? String == "https://runbooks.example/PredictionDrift" && fields.last?["short"] as? Bool == false)
        let action = (c["actions"] as? [[String: Any]])?.first ?? [:]
        #expect(action["type"] as? String == "button" && (action["url"] as? String)?.hasPrefix("http://vigil.test:9090/") == true)

        // Resolved: only the configuration with send_resolved says so, in green.
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000"},"endsAt":"2020-01-01T00:00:00Z"}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { slack.requests.count == 3 }, "\(vigil.process.log.suffix(2000))")
        try await Task.sleep(for: .seconds(2))
        #expect(slack.requests.count == 3, "the configuration without send_resolved stays quiet")
        let resolved = Self.attachment(slack.requests[2].payload)
        #expect(resolved["title"] as? String == "[RESOLVED] PredictionDrift (api:8000 iris)")
        #expect(resolved["color"] as? String == "good")
        // The webhook URL is the credential: the status API never shows it.
        let status = try await HTTP.request(vigil.base + "/api/v2/status").body
        #expect(!status.contains("/services/T000/B000/XXXX"), "\(status.prefix(2000))")
    }

    @Test func aFailingSlackIsRetriedAndCounted() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let slack = try await ChatServiceStandIn(script: "slack_standin.py", dir: dir, failFirst: 2)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            route: {receiver: team, group_wait: 200ms, group_interval: 30s}
            receivers:
              - name: team
                slack_configs: [{api_url: '\(slack.url(Self.webhookPath))', channel: '#ops'}]
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, "[" + AlertmanagerIntegrationTests.alertJSON(["alertname": "Flaky"]) + "]")
        #expect(try await eventually(timeout: .seconds(20)) { slack.requests.count == 1 }, "\(vigil.process.log.suffix(2000))")
        #expect(slack.requests.first?.problems.isEmpty == true)
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(metrics.contains("vigil_alertmanager_notification_requests_failed_total{integration=\"slack\"} 2"), "\(metrics)")
        #expect(metrics.contains("vigil_alertmanager_notifications_total{integration=\"slack\"} 1"))
        #expect(vigil.process.log.contains("500"), "Slack's error is logged")
    }
}
