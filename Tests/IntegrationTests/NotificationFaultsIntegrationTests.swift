import Foundation
import Testing

/// A notification peer that is down, or hangs, is survived: the failure is counted in
/// `/metrics` and logged, and the alert is delivered once the peer is back, without a restart.
@Suite(.serialized) struct NotificationFaultsIntegrationTests {
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
        #expect(await eventually(timeout: .seconds(20)) { (await vigil.metric(failed) ?? 0) >= 1 }, "\(vigil.process.log.suffix(1500))")
        #expect(vigil.process.log.contains("refused"), "the reason is logged")

        let sink = try await MailSink(dir: dir, port: smtpPort)
        #expect(await eventually(timeout: .seconds(30)) { sink.mails.count >= 1 }, "\(vigil.process.log.suffix(1500))")
        #expect(await vigil.metric(#"vigil_alertmanager_notifications_total{integration="email"}"#) ?? 0 >= 1)
    }

    static func mailVigil(smtpPort: Int, groupInterval: String, dir: String) async throws -> VigilInstance {
        try await AlertmanagerIntegrationTests.vigil(alertmanager: """
            global: {smtp_smarthost: '127.0.0.1:\(smtpPort)', smtp_from: 'vigil@example.org', smtp_require_tls: false}
            route: {receiver: mail, group_wait: 200ms, group_interval: \(groupInterval), repeat_interval: 1h}
            receivers:
              - name: mail
                email_configs: [{to: 'oncall@example.org'}]
            """, dir: dir)
    }

    /// A temporary refusal (4xx) is retried with backoff within the group interval; a permanent
    /// one (5xx) is not hammered, and the next flush of the group sends the mail again.
    @Test(arguments: ["451 4.3.0 Try again later", "554 5.7.1 Message rejected"])
    func anSMTPServerThatRefusesIsCountedAndTheMailArrivesOnceItAccepts(reply: String) async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sink = try await MailSink(dir: dir, refuseFirst: 2, refuseReply: reply)
        let vigil = try await Self.mailVigil(smtpPort: sink.port, groupInterval: "1s", dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, "[" + AlertmanagerIntegrationTests.alertJSON(["alertname": "Refused"]) + "]")
        #expect(await eventually(timeout: .seconds(30)) { sink.mails.count >= 1 }, "\(vigil.process.log.suffix(1500))")
        let failed = #"vigil_alertmanager_notification_requests_failed_total{integration="email"}"#
        #expect(await vigil.metric(failed) ?? 0 >= 2)
        let code = String(reply.prefix(3))
        #expect(vigil.process.log.contains(code), "the server's reply is logged")
        try await Task.sleep(for: .seconds(2))
        #expect(sink.mails.count == 1, "delivered once")
    }

    /// A server that holds its reply past the group interval is given up on (a timeout, counted
    /// and logged) and the group's next flush delivers the mail, once.
    @Test func aSlowSMTPServerTimesOutAndTheNextFlushDelivers() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sink = try await MailSink(dir: dir, slowFirst: 1, slowSeconds: 5)
        let vigil = try await Self.mailVigil(smtpPort: sink.port, groupInterval: "2s", dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, "[" + AlertmanagerIntegrationTests.alertJSON(["alertname": "Slow"]) + "]")
        #expect(await eventually(timeout: .seconds(30)) { sink.mails.count >= 1 }, "\(vigil.process.log.suffix(1500))")
        let failed = #"vigil_alertmanager_notification_requests_failed_total{integration="email"}"#
        #expect(await vigil.metric(failed) ?? 0 >= 1)
        #expect(vigil.process.log.contains("timed out"), "\(vigil.process.log.suffix(1500))")
        try await Task.sleep(for: .seconds(5))
        #expect(sink.mails.count == 1, "delivered once: \(sink.process.log)")
    }

    /// A server that takes the message but answers the final dot late (past the group interval)
    /// still gets its answer awaited: the mail was delivered, and the next flush does not send it
    /// again (RFC 5321's advice against duplicate messages; giving up at the deadline sent two).
    @Test func aLateReplyToTheMessageItselfIsAwaitedSoTheMailIsNotSentTwice() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sink = try await MailSink(dir: dir, slowAcceptSeconds: 3)
        let vigil = try await Self.mailVigil(smtpPort: sink.port, groupInterval: "1s", dir: dir)
        try await AlertmanagerIntegrationTests.post(vigil, "[" + AlertmanagerIntegrationTests.alertJSON(["alertname": "LateReply"]) + "]")
        #expect(await eventually(timeout: .seconds(30)) { sink.mails.count >= 1 }, "\(vigil.process.log.suffix(1500))")
        // Past the held reply and several group intervals.
        try await Task.sleep(for: .seconds(6))
        #expect(sink.mails.count == 1, "delivered once: \(sink.process.log)")
        let failed = #"vigil_alertmanager_notification_requests_failed_total{integration="email"}"#
        #expect(await vigil.metric(failed) ?? 0 == 0)
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
        #expect(await eventually(timeout: .seconds(20)) { (await vigil.metric(failed) ?? 0) >= 1 }, "\(vigil.process.log.suffix(1500))")
        #expect(vigil.process.isRunning)
    }
}
