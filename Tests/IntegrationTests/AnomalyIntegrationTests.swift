import Foundation
import Testing

/// The use case end to end with real parts: a prometheus_client model API whose prediction rate
/// jumps mid-test, Vigil scraping it, the anomaly rule firing, and Vigil's own Alertmanager
/// e-mailing the on-call address through a real SMTP server (aiosmtpd) — then the rate returns
/// to normal and a resolved e-mail follows. (The rule is `rules/model-api.anomaly.rules.yml`'s
/// with its windows shortened from minutes to seconds.)
@Suite(.serialized) struct AnomalyIntegrationTests {
    @Test func aPredictionRateJumpIsEmailedAndItsRecoveryToo() async throws {
        let (api, apiPort) = try await startModelAPI(rate: 30)
        defer { _ = api }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mail = try await MailSink(dir: dir)
        try """
        global:
          smtp_from: 'Vigil <vigil@example.org>'
          smtp_smarthost: 127.0.0.1:\(mail.port)
          smtp_require_tls: false
        route:
          receiver: oncall
          group_by: [alertname]
          group_wait: 1s
          group_interval: 2s
        receivers:
          - name: oncall
            email_configs:
              - to: oncall@example.org
                send_resolved: true
        """.write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)
        try """
        groups:
          - name: anomalies
            interval: 1s
            rules:
              - anomaly: PredictionRateAnomaly
                expr: sum by (species) (rate(python_iris_predictions_total[2s]))
                baseline: 60s
                sigma: 3
                min_value: 1
                for: 2s
                labels:
                  severity: warning
        """.write(toFile: dir + "/anomaly.rules.yml", atomically: true, encoding: .utf8)
        let config = """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: ['anomaly.rules.yml']
        scrape_configs:
          - job_name: model-api
            static_configs:
              - targets: ['127.0.0.1:\(apiPort)']
        """
        let vigil = try await VigilInstance(config: config, dir: dir)

        // A steady baseline first (the window must be long next to the rate's own ramp), then the
        // rate jumps tenfold.
        try await Task.sleep(for: .seconds(62))
        let jump = Date()
        _ = try await HTTP.request("http://127.0.0.1:\(apiPort)/admin/rate?value=300", method: "POST")
        func subjects() -> [String] { mail.mails.compactMap { ($0["headers"] as? [String: String])?["Subject"] } }
        let fired = try await eventually(timeout: .seconds(40)) { subjects().contains { $0.hasPrefix("[FIRING") && $0.contains("PredictionRateAnomaly") } }
        #expect(fired, "mails: \(subjects())\nVigil log:\n\(vigil.process.log.suffix(3000))")
        #expect(Date().timeIntervalSince(jump) < 40)
        let firing = mail.mails.first { (($0["headers"] as? [String: String])?["Subject"] ?? "").hasPrefix("[FIRING") }
        #expect(firing?["rcpt_tos"] as? [String] == ["oncall@example.org"])
        #expect(((firing?["text"] as? String) ?? "").contains("standard deviations"), "the rule's summary annotation is in the mail")
        #expect(((firing?["text"] as? String) ?? "").contains("severity = warning"))
        #expect(((firing?["html"] as? String) ?? "").contains("PredictionRateAnomaly"))
        let alerts = (try await HTTP.request(vigil.base + "/api/v2/alerts")).json as? [[String: Any]] ?? []
        #expect(alerts.contains { ($0["labels"] as? [String: String])?["alertname"] == "PredictionRateAnomaly" })

        // Back to normal: the alert resolves and a resolved e-mail follows.
        _ = try await HTTP.request("http://127.0.0.1:\(apiPort)/admin/rate?value=30", method: "POST")
        let resolved = try await eventually(timeout: .seconds(60)) { subjects().contains { $0.hasPrefix("[RESOLVED]") && $0.contains("PredictionRateAnomaly") } }
        #expect(resolved, "mails: \(subjects())\nVigil log:\n\(vigil.process.log.suffix(3000))")
    }
}
