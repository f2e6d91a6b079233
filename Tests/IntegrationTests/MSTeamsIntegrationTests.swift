import Foundation
import Testing

/// Microsoft Teams notifications (`msteamsv2_configs`) against a stand-in for a Teams workflow
/// webhook (Power Automate cannot be reached from here) that holds every request to the Adaptive
/// Card contract Microsoft publishes (`Support/teams_standin.py`): Alertmanager's defaults, a
/// templated card, resolved cards and retries after the workflow's 502.
@Suite(.serialized) struct MSTeamsIntegrationTests {
    static let path = "/workflows/abc123/triggers/manual/paths/invoke?sig=SECRET"

    static func blocks(_ payload: [String: Any]) -> [[String: Any]] {
        let attachment = (payload["attachments"] as? [[String: Any]])?.first ?? [:]
        return ((attachment["content"] as? [String: Any])?["body"] as? [[String: Any]]) ?? []
    }

    @Test func cardsFollowAlertmanagersDefaultsAndResolve() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let teams = try await ChatServiceStandIn(script: "teams_standin.py", dir: dir)
        try "\(teams.url(Self.path + "&custom"))\n".write(toFile: dir + "/teams.url", atomically: true, encoding: .utf8)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            route: {receiver: team, group_by: [alertname], group_wait: 300ms, group_interval: 1s, repeat_interval: 1h}
            receivers:
              - name: team
                msteamsv2_configs:
                  - webhook_url: '\(teams.url(Self.path))'
                  - webhook_url_file: '\(dir)/teams.url'
                    title: '{{ .CommonLabels.model }} needs a look'
                    text: '{{ .CommonAnnotations.summary }}'
                    send_resolved: false
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000"},"annotations":{"summary":"prediction mix drifted"}}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { teams.requests.count == 2 }, "\(vigil.process.log.suffix(2000))")
        for r in teams.requests { #expect(r.problems.isEmpty, "\(r.problems)") }
        let byDefault = Self.blocks(try #require(teams.requests.first { !$0.path.hasSuffix("&custom") }).payload)
        #expect(byDefault.first?["text"] as? String == "[FIRING:1] PredictionDrift (api:8000 iris)")
        #expect(byDefault.first?["color"] as? String == "Attention")
        #expect((byDefault.last?["text"] as? String)?.contains("- prediction mix drifted (api:8000)") == true)
        let custom = Self.blocks(try #require(teams.requests.first { $0.path.hasSuffix("&custom") }).payload)
        #expect(custom.map { $0["text"] as? String } == ["iris needs a look", "prediction mix drifted"])

        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000"},"endsAt":"2020-01-01T00:00:00Z"}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { teams.requests.count == 3 }, "\(vigil.process.log.suffix(2000))")
        try await Task.sleep(for: .seconds(2))
        #expect(teams.requests.count == 3)
        let resolved = Self.blocks(teams.requests[2].payload)
        #expect(resolved.first?["text"] as? String == "[RESOLVED] PredictionDrift (api:8000 iris)")
        #expect(resolved.first?["color"] as? String == "Good")
        let status = try await HTTP.request(vigil.base + "/api/v2/status").body
        #expect(!status.contains("sig=SECRET"), "the workflow URL is the credential: \(status.prefix(2000))")
    }

    @Test func aFailingWorkflowIsRetried() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let teams = try await ChatServiceStandIn(script: "teams_standin.py", dir: dir, failFirst: 2)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            route: {receiver: team, group_wait: 200ms, group_interval: 30s}
            receivers:
              - name: team
                msteamsv2_configs: [{webhook_url: '\(teams.url(Self.path))'}]
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"Flaky"}}]"#)
        #expect(try await eventually(timeout: .seconds(20)) { teams.requests.count == 1 }, "\(vigil.process.log.suffix(2000))")
        #expect(teams.requests.first?.problems.isEmpty == true)
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(metrics.contains("vigil_alertmanager_notification_requests_failed_total{integration=\"msteamsv2\"} 2"), "\(metrics)")
    }
}
