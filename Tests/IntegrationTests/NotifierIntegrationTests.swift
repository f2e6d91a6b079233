import Foundation
import Testing

/// Vigil's notifier against a real Alertmanager (Debian's prometheus-alertmanager): alerts
/// arrive through API v2 with external labels and templates expanded, and resolve.
@Suite(.serialized) struct NotifierIntegrationTests {
    @Test func firingAndResolvedAlertsReachARealAlertmanager() async throws {
        let (am, amBase, amAddress, amDir) = try await startAlertmanager()
        defer { try? FileManager.default.removeItem(atPath: amDir) }
        defer { _ = am }

        let (api, apiPort) = try await startModelAPI(rate: 5)
        defer { _ = api }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rule = { (expr: String) in
            "groups:\n  - name: g\n    interval: 1s\n    rules:\n      - alert: ModelAPIUp\n        expr: \(expr)\n        labels:\n          severity: info\n        annotations:\n          summary: '{{ $labels.instance }} answers ({{ $externalLabels.cluster }})'\n"
        }
        try rule("up{job=\"model-api\"} == 1").write(toFile: dir + "/a.rules.yml", atomically: true, encoding: .utf8)
        let config = """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
          external_labels:
            cluster: test-1
        rule_files: ['a.rules.yml']
        alerting:
          alertmanagers:
            - static_configs:
                - targets: ['\(amAddress)']
        scrape_configs:
          - job_name: model-api
            static_configs:
              - targets: ['127.0.0.1:\(apiPort)']
        """
        let vigil = try await VigilInstance(config: config, extraArgs: ["--web.enable-lifecycle", "--web.external-url=http://vigil.example:9090/"], dir: dir)

        var received: [String: Any]?
        let arrived = try await eventually(timeout: .seconds(30)) {
            let r = try await HTTP.request(amBase + "/api/v2/alerts")
            received = (r.json as? [[String: Any]])?.first { ($0["labels"] as? [String: String])?["alertname"] == "ModelAPIUp" }
            return received != nil
        }
        #expect(arrived, "Vigil log:\n\(vigil.process.log.suffix(2000))\nAlertmanager log:\n\(am.log.suffix(2000))")
        let labels = received?["labels"] as? [String: String]
        #expect(labels?["cluster"] == "test-1", "external labels travel with alerts")
        #expect(labels?["severity"] == "info")
        #expect((received?["annotations"] as? [String: String])?["summary"] == "127.0.0.1:\(apiPort) answers (test-1)")
        #expect((received?["generatorURL"] as? String)?.hasPrefix("http://vigil.example:9090/graph?g0.expr=") == true)
        #expect((received?["status"] as? [String: Any])?["state"] as? String == "active")

        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(!metrics.contains("vigil_notifications_sent_total 0\n"), "\(metrics)")
        #expect(metrics.contains("vigil_notifications_queue_capacity 10000"), "\(metrics)")

        // The condition goes away: the resolved alert is sent and Alertmanager drops it from the active list.
        try rule("up{job=\"model-api\"} == 2").write(toFile: dir + "/a.rules.yml", atomically: true, encoding: .utf8)
        #expect(try await HTTP.request(vigil.base + "/-/reload", method: "POST").status == 200)
        let resolved = try await eventually(timeout: .seconds(30)) {
            let r = try await HTTP.request(amBase + "/api/v2/alerts?active=true")
            return !(r.body.contains("ModelAPIUp"))
        }
        #expect(resolved, "Vigil log:\n\(vigil.process.log.suffix(2000))")
    }
}

/// `alerting.alertmanagers[].tls_config`: alerts reach an Alertmanager served over HTTPS with a
/// private CA when that CA is configured (the untrusted case is covered by the webhook tests,
/// which use the same clients).
@Suite(.serialized) struct NotifierTLSIntegrationTests {
    @Test func alertsReachAnHTTPSAlertmanagerThatTrustsTheConfiguredCA() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tls = try TLSAndLimitsIntegrationTests.selfSignedCertificate(in: dir)
        let (am, amBase, amAddress, amDir) = try await startAlertmanager(tls: tls)
        defer { try? FileManager.default.removeItem(atPath: amDir) }
        defer { _ = am }
        try "groups:\n  - name: g\n    interval: 1s\n    rules:\n      - alert: AlwaysOn\n        expr: vector(1)\n"
            .write(toFile: dir + "/a.rules.yml", atomically: true, encoding: .utf8)
        let config = """
        global:
          evaluation_interval: 1s
        rule_files: ['a.rules.yml']
        alerting:
          alertmanagers:
            - scheme: https
              tls_config:
                ca_file: \(tls.cert)
              static_configs:
                - targets: ['\(amAddress)']
        scrape_configs: []
        """
        let vigil = try await VigilInstance(config: config, dir: dir)
        let arrived = try await eventually(timeout: .seconds(30)) {
            try runTool("/usr/bin/curl", ["-s", "--cacert", tls.cert, amBase + "/api/v2/alerts"]).output.contains("AlwaysOn")
        }
        #expect(arrived, "Vigil log:\n\(vigil.process.log.suffix(2000))\nAlertmanager log:\n\(am.log.suffix(1000))")
        let check = try runTool(Paths.vigil, ["check", "config", vigil.configPath])
        #expect(check.status == 0 && !check.output.contains("WARNING"), "tls_config is supported now: \(check.output)")
    }

    /// An `alerting` target that is Vigil itself (here its own address, behind basic auth that
    /// the notifier has no credentials for) gets the alerts in process, not over HTTP.
    @Test func anAlertmanagerTargetThatIsVigilItselfIsServedInProcess() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = freePort(), amPort = freePort()
        try "basic_auth_users:\n  alice: \(try WebSecurityIntegrationTests.hash("alice-pw"))\n".write(toFile: dir + "/web.yml", atomically: true, encoding: .utf8)
        try "groups:\n  - name: g\n    interval: 1s\n    rules:\n      - alert: SelfDelivered\n        expr: vector(1)\n"
            .write(toFile: dir + "/a.rules.yml", atomically: true, encoding: .utf8)
        let vigil = try await VigilInstance(config: """
            global: {evaluation_interval: 1s}
            rule_files: ['a.rules.yml']
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['localhost:\(amPort)']
            """, extraArgs: ["--web.config.file=\(dir)/web.yml", "--alertmanager.listen-address=127.0.0.1:\(amPort)"], dir: dir, port: port) { port in
            (try? await Curl.request("http://127.0.0.1:\(port)/-/ready", ["-u", "alice:alice-pw"]).status) == 200
        }
        let arrived = await eventually(timeout: .seconds(15)) {
            ((try? await Curl.request(vigil.base + "/api/v2/alerts", ["-u", "alice:alice-pw"]).body) ?? "").contains("SelfDelivered")
        }
        #expect(arrived, "\(vigil.process.log.suffix(1500))")
        let metrics = try await Curl.request(vigil.base + "/metrics", ["-u", "alice:alice-pw"]).body
        #expect(metrics.contains("vigil_notifications_errors_total 0"), "no HTTP request to itself failed on the missing credentials")
        #expect(!vigil.process.log.contains("error sending alerts"))
    }
}
