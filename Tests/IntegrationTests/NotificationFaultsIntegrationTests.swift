import Foundation
import Testing

/// A notification peer that is down, or hangs, is survived: the failure is counted in
/// `/metrics` and logged, and the alert is delivered once the peer is back, without a restart.
@Suite(.serialized) struct NotificationFaultsIntegrationTests {
    static func metric(_ vigil: VigilInstance, _ line: String) async -> Double? {
        guard let text = try? await HTTP.request(vigil.base + "/metrics").body else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func anSMTPServerThatIsDownIsRetriedUntilItIsBack() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let smtpPort = freePort()
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            global: {smtp_smarthost: '127.0.0.1:\(smtpPort)', smtp_from: 'vigil@example.org', smtp_require_tls: false}
            route: {receiver: mail, group_wait: 200ms, group_interval: 1s, repeat_interval: 1h}
            receivers:
              - name: mail
                email_configs: [{to: 'oncall@example.org'}]
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, "[" + AlertmanagerIntegrationTests.alertJSON(["alertname": "DiskFull"]) + "]")
        let failed = #"vigil_alertmanager_notification_requests_failed_total{integration="email"}"#
        #expect(await eventually(timeout: .seconds(20)) { (await Self.metric(vigil, failed) ?? 0) >= 1 }, "\(vigil.process.log.suffix(1500))")
        #expect(vigil.process.log.contains("refused"), "the reason is logged")

        let sink = try await MailSink(dir: dir, port: smtpPort)
        #expect(await eventually(timeout: .seconds(30)) { sink.mails.count >= 1 }, "\(vigil.process.log.suffix(1500))")
        #expect(await Self.metric(vigil, #"vigil_alertmanager_notifications_total{integration="email"}"#) ?? 0 >= 1)
    }

    @Test func aHangingWebhookTimesOutAndTheNextOneIsStillServed() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A listener that accepts and never answers.
        let hangPort = freePort()
        let hang = try ChildProcess(name: "hang", executable: "/usr/bin/python3", arguments: ["-c", """
            import socket, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(hangPort))); s.listen(64); print("listening", flush=True)
            held = []
            while True:
                c, _ = s.accept(); held.append(c)
            """])
        defer { _ = hang }
        #expect(await eventually(timeout: .seconds(10)) { hang.log.contains("listening") })
        let hook = try await WebhookReceiver(dir: dir)
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            route:
              receiver: hook
              group_by: [alertname]
              group_wait: 200ms
              group_interval: 2s
              routes:
                - matchers: ['alertname="Stuck"']
                  receiver: stuck
            receivers:
              - name: hook
                webhook_configs: [{url: '\(hook.url)'}]
              - name: stuck
                webhook_configs: [{url: 'http://127.0.0.1:\(hangPort)/hook', timeout: 1s}]
            """, dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, "[" + AlertmanagerIntegrationTests.alertJSON(["alertname": "Stuck"]) + "]")
        try await AlertmanagerIntegrationTests.post(vigil, "[" + AlertmanagerIntegrationTests.alertJSON(["alertname": "Fine"]) + "]")
        // The hanging receiver does not hold up the other group.
        #expect(await eventually(timeout: .seconds(10)) { hook.payloads.count >= 1 })
        let failed = #"vigil_alertmanager_notification_requests_failed_total{integration="webhook"}"#
        #expect(await eventually(timeout: .seconds(20)) { (await Self.metric(vigil, failed) ?? 0) >= 1 }, "\(vigil.process.log.suffix(1500))")
        #expect(vigil.process.isRunning)
    }
}
