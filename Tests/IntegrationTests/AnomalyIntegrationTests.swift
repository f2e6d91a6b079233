import Foundation
import Testing

/// The anomaly rule end to end with real parts: a prometheus_client model API whose prediction
/// rate jumps mid-test, Vigil scraping it, and a real Alertmanager receiving the alert through
/// API v2 — then the rate returns to normal and the alert resolves.
@Suite(.serialized) struct AnomalyIntegrationTests {
    @Test func aPredictionRateJumpFiresAndResolves() async throws {
        let (am, amBase, amAddress, amDir) = try await startAlertmanager()
        defer { try? FileManager.default.removeItem(atPath: amDir) }
        defer { _ = am }

        let (api, apiPort) = try await startModelAPI(rate: 30)
        defer { _ = api }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
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
        alerting:
          alertmanagers:
            - static_configs:
                - targets: ['\(amAddress)']
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
        var alert: [String: Any]?
        let fired = try await eventually(timeout: .seconds(40)) {
            let alerts = (try await HTTP.request(amBase + "/api/v2/alerts?active=true")).json as? [[String: Any]] ?? []
            alert = alerts.first { a in
                guard (a["labels"] as? [String: String])?["alertname"] == "PredictionRateAnomaly",
                      let startsAt = (a["startsAt"] as? String).flatMap({ try? Date($0, strategy: .iso8601) }) else { return false }
                return startsAt >= jump.addingTimeInterval(-1)
            }
            return alert != nil
        }
        #expect(fired, "Vigil log:\n\(vigil.process.log.suffix(3000))")
        #expect((alert?["labels"] as? [String: String])?["severity"] == "warning")
        #expect((alert?["labels"] as? [String: String])?["species"] != nil)
        #expect(((alert?["annotations"] as? [String: String])?["summary"] ?? "").contains("standard deviations"))

        // Back to normal: the alert resolves and leaves Alertmanager's active list.
        _ = try await HTTP.request("http://127.0.0.1:\(apiPort)/admin/rate?value=30", method: "POST")
        let resolved = try await eventually(timeout: .seconds(60)) {
            !(try await HTTP.request(amBase + "/api/v2/alerts?active=true")).body.contains("PredictionRateAnomaly")
        }
        #expect(resolved, "Vigil log:\n\(vigil.process.log.suffix(3000))")
    }
}
