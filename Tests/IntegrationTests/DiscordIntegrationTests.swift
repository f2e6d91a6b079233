import Foundation
import Testing

/// Discord notifications against a stand-in for Discord's webhooks (Discord cannot be reached
/// from here) that holds every request to the contract Discord publishes
/// (`Tests/IntegrationTests/Support/discord_standin.py`): Alertmanager's defaults, a templated
/// configuration, resolved messages (sent by default) and Discord's rate limit answered by retries.
@Suite(.serialized) struct DiscordIntegrationTests {
    static let webhookPath = "/api/webhooks/1234/XXXX"

    static func embed(_ payload: [String: Any]) -> [String: Any] {
        (payload["embeds"] as? [[String: Any]])?.first ?? [:]
    }

    @Test func messagesFollowAlertmanagersDefaultsAndResolve() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let discord = try await ChatServiceStandIn(script: "discord_standin.py", dir: dir)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            route: {receiver: team, group_by: [alertname], group_wait: 300ms, group_interval: 1s, repeat_interval: 1h}
            receivers:
              - name: team
                discord_configs:
                  - webhook_url: '\(discord.url(Self.webhookPath))'
                  - webhook_url: '\(discord.url(Self.webhookPath + "/custom"))'
                    send_resolved: false
                    title: '{{ .CommonLabels.model }}: {{ .CommonAnnotations.summary }}'
                    message: '{{ range .Alerts }}{{ .Labels.instance }} {{ end }}'
                    content: '@here {{ .CommonLabels.alertname }}'
                    username: Vigil
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000"},"annotations":{"summary":"prediction mix drifted"}}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { discord.requests.count == 2 }, "\(vigil.process.log.suffix(2000))")
        for r in discord.requests { #expect(r.problems.isEmpty, "\(r.problems)") }
        let byDefault = Self.embed(try #require(discord.requests.first { $0.payload["content"] == nil }).payload)
        #expect(byDefault["title"] as? String == "[FIRING:1] PredictionDrift (api:8000 iris)")
        #expect(byDefault["color"] as? Int == 0x992D22)
        let description = byDefault["description"] as? String ?? ""
        #expect(description.hasPrefix("Firing:") && description.contains("prediction mix drifted") && description.contains("instance = api:8000"), "\(description)")
        let custom = try #require(discord.requests.first { $0.payload["content"] != nil }).payload
        #expect(custom["content"] as? String == "@here PredictionDrift")
        #expect(custom["username"] as? String == "Vigil")
        #expect(Self.embed(custom)["title"] as? String == "iris: prediction mix drifted")
        #expect(Self.embed(custom)["description"] as? String == "api:8000 ")

        // Resolved: sent by default (Discord's send_resolved is on), green; not by the one that turned it off.
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api:8000"},"endsAt":"2020-01-01T00:00:00Z"}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { discord.requests.count == 3 }, "\(vigil.process.log.suffix(2000))")
        try await Task.sleep(for: .seconds(2))
        #expect(discord.requests.count == 3)
        let resolved = Self.embed(discord.requests[2].payload)
        #expect(resolved["title"] as? String == "[RESOLVED] PredictionDrift (api:8000 iris)")
        #expect(resolved["color"] as? Int == 0x2ECC71)
        #expect((resolved["description"] as? String)?.hasPrefix("Resolved:") == true)
        let status = try await HTTP.request(vigil.base + "/api/v2/status").body
        #expect(!status.contains(Self.webhookPath), "the webhook URL is the credential: \(status.prefix(2000))")
    }

    @Test func discordsRateLimitIsRetriedAndLongTextsAreCutToItsLimits() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let discord = try await ChatServiceStandIn(script: "discord_standin.py", dir: dir, failFirst: 2)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            route: {receiver: team, group_wait: 200ms, group_interval: 30s}
            receivers:
              - name: team
                discord_configs: [{webhook_url: '\(discord.url(Self.webhookPath))', title: '{{ .CommonAnnotations.summary }}'}]
            """, dir: dir)
        let long = String(repeating: "drift ", count: 2000)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"Flaky"},"annotations":{"summary":"\#(long)"}}]"#)
        #expect(try await eventually(timeout: .seconds(20)) { discord.requests.count == 1 }, "\(vigil.process.log.suffix(2000))")
        let request = try #require(discord.requests.first)
        #expect(request.problems.isEmpty, "\(request.problems)")
        #expect((Self.embed(request.payload)["title"] as? String)?.count == 256)
        #expect((Self.embed(request.payload)["description"] as? String)?.count == 4096)
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(metrics.contains("vigil_alertmanager_notification_requests_failed_total{integration=\"discord\"} 2"), "\(metrics)")
        #expect(metrics.contains("vigil_alertmanager_notifications_total{integration=\"discord\"} 1"))
    }
}
