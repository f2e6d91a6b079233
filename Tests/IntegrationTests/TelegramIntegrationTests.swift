import Foundation
import Testing

/// Telegram notifications against a stand-in for Telegram's Bot API (Telegram cannot be reached
/// from here) that holds every `sendMessage` to the contract Telegram publishes, HTML entities
/// included (`Support/telegram_standin.py`): the default message escapes what Telegram's HTML
/// mode would refuse, resolved messages are sent, rate limits retried, and the bot token — part
/// of the URL — is never shown.
@Suite(.serialized) struct TelegramIntegrationTests {
    static let token = "123456789:AAF-test_token_0123456789abcdefghij"

    @Test func messagesAreValidTelegramHTMLAndResolve() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tg = try await ChatServiceStandIn(script: "telegram_standin.py", dir: dir)
        try "\(Self.token)\n".write(toFile: dir + "/bot.token", atomically: true, encoding: .utf8)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            global: {telegram_api_url: '\(tg.url(""))'}
            route: {receiver: team, group_by: [alertname], group_wait: 300ms, group_interval: 1s, repeat_interval: 1h}
            receivers:
              - name: team
                telegram_configs:
                  - {bot_token: '\(Self.token)', chat_id: -1001234567890}
                  - bot_token_file: '\(dir)/bot.token'
                    chat_id: 42
                    message_thread_id: 7
                    disable_notifications: true
                    parse_mode: ''
                    message: '{{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }}'
                    send_resolved: false
            """, dir: dir)
        // Label values with <, > and & that Alertmanager's default message passes to Telegram raw.
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api<8000>&co"},"annotations":{"summary":"p(setosa) < 0.2 & falling"}}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { tg.requests.count == 2 }, "\(vigil.process.log.suffix(2000))")
        for r in tg.requests { #expect(r.problems.isEmpty, "\(r.problems): \(r.payload)") }
        #expect(tg.requests.allSatisfy { $0.path == "/bot\(Self.token)/sendMessage" })
        let html = try #require(tg.requests.first { $0.payload["parse_mode"] as? String == "HTML" }).payload
        #expect(html["chat_id"] as? Int == -1001234567890)
        let text = html["text"] as? String ?? ""
        #expect(text.contains("<b>p(setosa) &lt; 0.2 &amp; falling</b>") && text.contains("instance = api&lt;8000&gt;&amp;co"), "\(text)")
        let plain = try #require(tg.requests.first { $0.payload["parse_mode"] == nil }).payload
        #expect(plain["text"] as? String == "PredictionDrift on api<8000>&co")
        #expect(plain["message_thread_id"] as? Int == 7 && plain["disable_notification"] as? Bool == true)

        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"PredictionDrift","model":"iris","instance":"api<8000>&co"},"endsAt":"2020-01-01T00:00:00Z"}]"#)
        #expect(try await eventually(timeout: .seconds(10)) { tg.requests.count == 3 }, "\(vigil.process.log.suffix(2000))")
        let resolved = try #require(tg.requests.last)
        #expect(resolved.problems.isEmpty && (resolved.payload["text"] as? String)?.contains("Resolved") == true)
        let status = try await HTTP.request(vigil.base + "/api/v2/status").body
        #expect(!status.contains(Self.token), "the bot token is a credential: \(status.prefix(2000))")
    }

    @Test func rateLimitsAreRetriedAndTheTokenStaysOutOfErrors() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tg = try await ChatServiceStandIn(script: "telegram_standin.py", dir: dir, failFirst: 2)
        let closed = freePort()
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            route: {receiver: team, group_wait: 200ms, group_interval: 30s}
            receivers:
              - name: team
                telegram_configs:
                  - {bot_token: '\(Self.token)', chat_id: 42, api_url: '\(tg.url(""))'}
                  - {bot_token: '\(Self.token)', chat_id: 42, api_url: 'http://127.0.0.1:\(closed)'}
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, #"[{"labels":{"alertname":"Flaky"}}]"#)
        #expect(try await eventually(timeout: .seconds(20)) { tg.requests.count == 1 }, "\(vigil.process.log.suffix(2000))")
        #expect(tg.requests.first?.problems.isEmpty == true)
        #expect(try await eventually(timeout: .seconds(20)) { vigil.process.log.contains("/bot<secret>/sendMessage") }, "\(vigil.process.log.suffix(2000))")
        #expect(!vigil.process.log.contains(Self.token))
    }
}
