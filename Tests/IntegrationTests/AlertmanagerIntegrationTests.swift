import Foundation
import Testing

/// Vigil's own Alertmanager with real peers: amtool from Debian's prometheus-alertmanager, a real
/// HTTP webhook receiver, and a real SMTP server (aiosmtpd), with short timers.
@Suite(.serialized) struct AlertmanagerIntegrationTests {
    static let prometheusConfig = "global:\n  scrape_interval: 15s\nscrape_configs: []\n"

    /// Starts Vigil with this alertmanager.yml in a fresh (or given) directory.
    static func vigil(alertmanager: String, dir: String) async throws -> VigilInstance {
        try alertmanager.write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)
        return try await VigilInstance(config: prometheusConfig, extraArgs: [
            "--alertmanager.config.file=\(dir)/alertmanager.yml", "--web.external-url=http://vigil.test:9090/",
        ], dir: dir)
    }

    static func post(_ vigil: VigilInstance, _ alerts: String) async throws {
        let r = try await HTTP.request(vigil.base + "/api/v2/alerts", method: "POST", body: alerts)
        #expect(r.status == 200, "\(r.body)")
    }

    static func alertJSON(_ labels: [String: String], endsAt: String? = nil) -> String {
        let l = labels.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
        return "{\"labels\":{\(l)},\"annotations\":{\"summary\":\"\(labels["alertname"] ?? "") on \(labels["instance"] ?? "-")\"}"
            + (endsAt.map { ",\"endsAt\":\"\($0)\"" } ?? "") + "}"
    }

    static func amtool(_ vigil: VigilInstance, _ args: [String]) throws -> (status: Int32, output: String) {
        try runTool("/usr/bin/amtool", ["--alertmanager.url=\(vigil.base)"] + args)
    }

    @Test func amtoolQueriesAlertsAndAddsQueriesAndExpiresSilences() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let vigil = try await Self.vigil(alertmanager: "route: {receiver: quiet}\nreceivers: [{name: quiet}]\n", dir: dir)
        try await Self.post(vigil, "[" + Self.alertJSON(["alertname": "ModelAPIDown", "instance": "api:8000"]) + ","
                                 + Self.alertJSON(["alertname": "HighLatency", "instance": "api:8000"]) + "]")

        let query = try Self.amtool(vigil, ["alert", "query"])
        #expect(query.status == 0 && query.output.contains("ModelAPIDown") && query.output.contains("HighLatency"), "\(query.output)")
        let filtered = try Self.amtool(vigil, ["alert", "query", "alertname=HighLatency"])
        #expect(filtered.output.contains("HighLatency") && !filtered.output.contains("ModelAPIDown"), "\(filtered.output)")

        let add = try Self.amtool(vigil, ["silence", "add", "alertname=ModelAPIDown", "--comment=maintenance", "--duration=1h", "--author=ops"])
        let id = add.output.split(separator: "\n").last { $0.count == 36 }.map(String.init) ?? ""
        #expect(add.status == 0 && !id.isEmpty, "\(add.output)")
        let silences = try Self.amtool(vigil, ["silence", "query"])
        #expect(silences.output.contains(id) && silences.output.contains("maintenance") && silences.output.contains("ops"), "\(silences.output)")
        // The silenced alert leaves the default query (which hides silenced alerts) and shows as suppressed.
        let afterSilence = try Self.amtool(vigil, ["alert", "query"])
        #expect(!afterSilence.output.contains("ModelAPIDown"), "\(afterSilence.output)")
        let api = try await HTTP.request(vigil.base + "/api/v2/alerts?filter=alertname%3D%22ModelAPIDown%22").json as? [[String: Any]]
        let status = api?.first?["status"] as? [String: Any]
        #expect(status?["state"] as? String == "suppressed")
        #expect(status?["silencedBy"] as? [String] == [id])

        let expire = try Self.amtool(vigil, ["silence", "expire", id])
        #expect(expire.status == 0, "\(expire.output)")
        #expect(!(try Self.amtool(vigil, ["silence", "query"])).output.contains(id))
        #expect((try Self.amtool(vigil, ["silence", "query", "--expired"])).output.contains(id))
        #expect((try Self.amtool(vigil, ["alert", "query"])).output.contains("ModelAPIDown"))
        // Expiring again is refused; malformed input changes nothing.
        #expect((try Self.amtool(vigil, ["silence", "expire", id])).status != 0)
        #expect(try await HTTP.request(vigil.base + "/api/v2/silences", method: "POST", body: "{\"matchers\":[]}").status == 400)
        #expect(try await HTTP.request(vigil.base + "/api/v2/alerts", method: "POST", body: "[{\"labels\":{}}]").status == 400)
        #expect(try await HTTP.request(vigil.base + "/api/v2/silence/unknown").status == 404)
        let receivers = try await HTTP.request(vigil.base + "/api/v2/receivers").json as? [[String: String]]
        #expect(receivers == [["name": "quiet"]])
        let amStatus = try await HTTP.request(vigil.base + "/api/v2/status").json as? [String: Any]
        #expect(((amStatus?["config"] as? [String: Any])?["original"] as? String)?.contains("receiver: quiet") == true)
    }

    @Test func aReloadWithABrokenFileKeepsTheRunningConfiguration() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "route: {receiver: first}\nreceivers: [{name: first}]\n".write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)
        let vigil = try await VigilInstance(config: Self.prometheusConfig, extraArgs: [
            "--alertmanager.config.file=\(dir)/alertmanager.yml", "--web.enable-lifecycle",
        ], dir: dir)
        func receivers() async throws -> [String] {
            (try await HTTP.request(vigil.base + "/api/v2/receivers").json as? [[String: String]] ?? []).compactMap { $0["name"] }
        }
        try "route: {receiver: missing}\nreceivers: [{name: first}]\n".write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)
        let broken = try await HTTP.request(vigil.base + "/-/reload", method: "POST")
        #expect(broken.status != 200 && broken.body.contains("undefined receiver"), "\(broken.body)")
        #expect(try await receivers() == ["first"])
        try "route: {receiver: second}\nreceivers: [{name: first}, {name: second}]\n".write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)
        #expect(try await HTTP.request(vigil.base + "/-/reload", method: "POST").status == 200)
        #expect(try await receivers() == ["first", "second"])
    }

    /// Debian's real Prometheus sends its alerts to Vigil's Alertmanager as to any Alertmanager.
    @Test func aRealPrometheusSendsItsAlertsToVigil() async throws {
        let prometheus = try debianPrometheus()
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hook = try await WebhookReceiver(dir: dir)
        let vigil = try await Self.vigil(alertmanager: """
            route: {receiver: hook, group_by: [alertname], group_wait: 500ms, group_interval: 2s}
            receivers:
              - name: hook
                webhook_configs: [{url: '\(hook.url)'}]
            """, dir: dir)
        let promDir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: promDir) }
        try "groups:\n  - name: p\n    rules:\n      - alert: FromPrometheus\n        expr: vector(1)\n        labels: {severity: info}\n        annotations: {summary: sent by a real Prometheus}\n"
            .write(toFile: promDir + "/alerts.yml", atomically: true, encoding: .utf8)
        try """
            global:
              evaluation_interval: 1s
            rule_files: ['alerts.yml']
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['127.0.0.1:\(vigil.port)']
            """.write(toFile: promDir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prom = try ChildProcess(name: "prometheus", executable: prometheus, arguments: [
            "--config.file=\(promDir)/prometheus.yml", "--storage.tsdb.path=\(promDir)/data", "--web.listen-address=127.0.0.1:\(freePort())",
            // Its first batch can go before the Alertmanager list is ready (and is dropped); resend soon.
            "--rules.alert.resend-delay=2s",
        ])
        defer { _ = prom }
        let notified = try await eventually(timeout: .seconds(60)) {
            hook.payloads.contains { (($0["alerts"] as? [[String: Any]]) ?? []).contains { ($0["labels"] as? [String: String])?["alertname"] == "FromPrometheus" } }
        }
        #expect(notified, "Prometheus log:\n\(prom.log.suffix(2000))\nVigil log:\n\(vigil.process.log.suffix(2000))")
        let alert = (hook.payloads.first?["alerts"] as? [[String: Any]])?.first
        #expect((alert?["annotations"] as? [String: String])?["summary"] == "sent by a real Prometheus")
        #expect((alert?["generatorURL"] as? String)?.contains("/graph?g0.expr=") == true)
    }

    @Test func webhookNotificationsFollowGroupWaitGroupIntervalAndResolve() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hook = try await WebhookReceiver(dir: dir)
        let vigil = try await Self.vigil(alertmanager: """
            route:
              receiver: hook
              group_by: [alertname]
              group_wait: 1s
              group_interval: 3s
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: \(hook.url)
            """, dir: dir)
        let start = Date()
        try await Self.post(vigil, "[" + Self.alertJSON(["alertname": "HighLatency", "instance": "a"]) + "]")
        #expect(try await eventually(timeout: .seconds(10)) { hook.payloads.count == 1 }, "\(vigil.process.log.suffix(2000))")
        #expect(Date().timeIntervalSince(start) >= 0.9, "waited group_wait")
        let first = hook.payloads[0]
        #expect(first["version"] as? String == "4")
        #expect(first["status"] as? String == "firing")
        #expect(first["receiver"] as? String == "hook")
        #expect(first["groupKey"] as? String == "{}:{alertname=\"HighLatency\"}")
        #expect(first["externalURL"] as? String == "http://vigil.test:9090")
        #expect((first["alerts"] as? [[String: Any]])?.count == 1)

        // A second alert joins the group: it is sent with the next group_interval, not at once.
        let joined = Date()
        try await Self.post(vigil, "[" + Self.alertJSON(["alertname": "HighLatency", "instance": "b"]) + "]")
        #expect(try await eventually(timeout: .seconds(10)) { hook.payloads.count == 2 })
        #expect(Date().timeIntervalSince(joined) >= 0.5, "held until the group interval")
        #expect((hook.payloads[1]["alerts"] as? [[String: Any]])?.count == 2)

        // Nothing changes: no notification before repeat_interval.
        try await Task.sleep(for: .seconds(4))
        #expect(hook.payloads.count == 2)

        // One alert resolves: a notification carries it as resolved.
        try await Self.post(vigil, "[" + Self.alertJSON(["alertname": "HighLatency", "instance": "a"], endsAt: "2020-01-01T00:00:00Z") + "]")
        #expect(try await eventually(timeout: .seconds(10)) { hook.payloads.count == 3 })
        let resolved = (hook.payloads[2]["alerts"] as? [[String: Any]]) ?? []
        #expect(resolved.first { ($0["labels"] as? [String: String])?["instance"] == "a" }?["status"] as? String == "resolved")
        #expect(hook.payloads[2]["status"] as? String == "firing", "b still fires")
        let groups = try await HTTP.request(vigil.base + "/api/v2/alerts/groups").json as? [[String: Any]]
        #expect(groups?.count == 1)
        #expect((groups?.first?["receiver"] as? [String: String])?["name"] == "hook")
    }

    @Test func silencesAndInhibitionKeepAlertsOutOfNotifications() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hook = try await WebhookReceiver(dir: dir)
        let vigil = try await Self.vigil(alertmanager: """
            route:
              receiver: hook
              group_by: ['...']
              group_wait: 500ms
              group_interval: 2s
            inhibit_rules:
              - source_matchers: [alertname=ModelAPIDown]
                target_matchers: [severity=warning]
                equal: [instance]
            receivers:
              - name: hook
                webhook_configs:
                  - url: \(hook.url)
            """, dir: dir)
        let silence = """
            {"matchers":[{"name":"alertname","value":"Noisy","isRegex":false,"isEqual":true}],
             "startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"test","comment":"quiet please"}
            """
        let created = try await HTTP.request(vigil.base + "/api/v2/silences", method: "POST", body: silence)
        #expect(created.status == 200 && created.body.contains("silenceID"), "\(created.body)")
        try await Self.post(vigil, "[" + [
            Self.alertJSON(["alertname": "ModelAPIDown", "instance": "a", "severity": "critical"]),
            Self.alertJSON(["alertname": "Slow", "instance": "a", "severity": "warning"]),
            Self.alertJSON(["alertname": "Slow", "instance": "b", "severity": "warning"]),
            Self.alertJSON(["alertname": "Noisy", "instance": "c", "severity": "warning"]),
        ].joined(separator: ",") + "]")
        #expect(try await eventually(timeout: .seconds(10)) { hook.payloads.count >= 2 })
        try await Task.sleep(for: .seconds(3))
        let notified = Set(hook.payloads.flatMap { ($0["alerts"] as? [[String: Any]]) ?? [] }.compactMap { a -> String? in
            guard let l = a["labels"] as? [String: String] else { return nil }
            return "\(l["alertname"] ?? "")/\(l["instance"] ?? "")"
        })
        #expect(notified == ["ModelAPIDown/a", "Slow/b"], "inhibited Slow/a and silenced Noisy/c stay quiet")
        let alerts = try await HTTP.request(vigil.base + "/api/v2/alerts").json as? [[String: Any]] ?? []
        func status(_ name: String, _ instance: String) -> [String: Any]? {
            alerts.first { ($0["labels"] as? [String: String]) == ["alertname": name, "instance": instance, "severity": name == "ModelAPIDown" ? "critical" : "warning"] }?["status"] as? [String: Any]
        }
        #expect((status("Slow", "a")?["inhibitedBy"] as? [String])?.count == 1)
        #expect(status("Slow", "a")?["state"] as? String == "suppressed")
        #expect((status("Noisy", "c")?["silencedBy"] as? [String])?.count == 1)
        #expect(status("Slow", "b")?["state"] as? String == "active")
        let onlyActive = try await HTTP.request(vigil.base + "/api/v2/alerts?silenced=false&inhibited=false").json as? [[String: Any]] ?? []
        #expect(onlyActive.count == 2)
    }

    @Test func failedDeliveriesAreRetriedAndCounted() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hook = try await WebhookReceiver(dir: dir, failFirst: 2)
        let vigil = try await Self.vigil(alertmanager: """
            route: {receiver: hook, group_wait: 200ms, group_interval: 30s}
            receivers:
              - name: hook
                webhook_configs: [{url: '\(hook.url)'}]
            """, dir: dir)
        try await Self.post(vigil, "[" + Self.alertJSON(["alertname": "Flaky"]) + "]")
        #expect(try await eventually(timeout: .seconds(20)) { hook.payloads.count == 1 }, "\(vigil.process.log.suffix(2000))")
        let metrics = try await HTTP.request(vigil.base + "/metrics").body
        #expect(metrics.contains("vigil_alertmanager_notification_requests_failed_total{integration=\"webhook\"} 2"), "\(metrics)")
        #expect(metrics.contains("vigil_alertmanager_notifications_total{integration=\"webhook\"} 1"))
        #expect(metrics.contains("vigil_alertmanager_notifications_failed_total{integration=\"webhook\"} 0"))
        #expect(vigil.process.log.contains("503"), "the receiver's error is logged")
    }

    @Test func webhooksOverHTTPSUseTheirTLSConfig() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tls = try TLSAndLimitsIntegrationTests.selfSignedCertificate(in: dir)
        let hook = try await WebhookReceiver(dir: dir, tls: tls)
        try """
            route: {receiver: trusted}
            receivers:
              - name: trusted
                webhook_configs:
                  - url: \(hook.url)
                    http_config: {tls_config: {ca_file: '\(tls.cert)'}}
              - name: untrusted
                webhook_configs: [{url: '\(hook.url)'}]
            """.write(toFile: dir + "/am.yml", atomically: true, encoding: .utf8)
        func notify(_ receiver: String) throws -> (status: Int32, output: String) {
            try runTool(Paths.vigil, ["notify", "test", "--alertmanager.config.file", dir + "/am.yml", "--receiver", receiver, "--timeout", "3"])
        }
        let trusted = try notify("trusted")
        #expect(trusted.status == 0, "\(trusted.output)")
        #expect(hook.payloads.count == 1)
        let untrusted = try notify("untrusted")
        #expect(untrusted.status == 1 && untrusted.output.contains("certificate is not trusted"), "\(untrusted.output)")
        #expect(hook.payloads.count == 1)
    }

    @Test func notificationLogAndSilencesSurviveARestart() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hook = try await WebhookReceiver(dir: dir)
        let amConfig = """
            route: {receiver: hook, group_by: [alertname], group_wait: 300ms, group_interval: 1s, repeat_interval: 1h}
            receivers:
              - name: hook
                webhook_configs: [{url: '\(hook.url)'}]
            """
        let alert = "[" + Self.alertJSON(["alertname": "Persistent", "instance": "a"]) + "]"
        var vigil: VigilInstance? = try await Self.vigil(alertmanager: amConfig, dir: dir)
        try await Self.post(vigil!, alert)
        #expect(try await eventually(timeout: .seconds(10)) { hook.payloads.count == 1 })
        let silence = """
            {"matchers":[{"name":"alertname","value":"Other","isRegex":false}],
             "startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"test","comment":"kept"}
            """
        #expect(try await HTTP.request(vigil!.base + "/api/v2/silences", method: "POST", body: silence).status == 200)
        vigil!.process.signal(SIGTERM)
        #expect(await vigil!.process.waitForExit() == 0)
        vigil = nil

        let restarted = try await Self.vigil(alertmanager: amConfig, dir: dir)
        try await Self.post(restarted, alert)
        try await Task.sleep(for: .seconds(3))
        #expect(hook.payloads.count == 1, "the unchanged group is not notified again after a restart")
        let silences = try await HTTP.request(restarted.base + "/api/v2/silences").json as? [[String: Any]]
        #expect(silences?.first?["comment"] as? String == "kept")
    }

    @Test func emailsReachARealSMTPServerInClearAndOverSTARTTLSWithAuth() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tls = try TLSAndLimitsIntegrationTests.selfSignedCertificate(in: dir)
        let plain = try await MailSink(dir: dir)
        let secure = try await MailSink(dir: dir, tls: tls, user: "alice", password: "s3cret")
        let vigil = try await Self.vigil(alertmanager: """
            global:
              smtp_from: 'Vigil <vigil@example.org>'
              smtp_smarthost: 127.0.0.1:\(plain.port)
              smtp_require_tls: false
            route:
              receiver: team
              group_by: [alertname]
              group_wait: 300ms
              group_interval: 1s
              routes:
                - matchers: [severity=critical]
                  receiver: pager
                  continue: true
                - matchers: [severity=~"critical|warning"]
                  receiver: team
            receivers:
              - name: team
                email_configs:
                  - to: 'team@example.org, Lead <lead@example.org>'
                    send_resolved: true
              - name: pager
                email_configs:
                  - to: pager@example.org
                    smarthost: 127.0.0.1:\(secure.port)
                    require_tls: true
                    auth_username: alice
                    auth_password: s3cret
                    tls_config: {ca_file: '\(tls.cert)'}
                    headers: {Subject: 'PAGE: {{ .CommonLabels.alertname }}'}
            """, dir: dir)
        try await Self.post(vigil, "[" + Self.alertJSON(["alertname": "ModelAPIDown", "instance": "api:8000", "severity": "critical"]) + "]")
        #expect(try await eventually(timeout: .seconds(15)) { plain.mails.count == 1 && secure.mails.count == 1 },
                "\(vigil.process.log.suffix(2000))\n\(secure.process.log.suffix(1000))")

        let team = plain.mails[0]
        #expect(team["rcpt_tos"] as? [String] == ["team@example.org", "lead@example.org"])
        #expect(team["mail_from"] as? String == "vigil@example.org")
        let headers = team["headers"] as? [String: String] ?? [:]
        #expect(headers["Subject"] == "[FIRING:1] ModelAPIDown (api:8000 critical)")
        #expect(headers["To"] == "team@example.org, Lead <lead@example.org>")
        #expect(headers["Message-Id"]?.hasPrefix("<") == true && headers["Date"] != nil)
        #expect((team["text"] as? String)?.contains("ModelAPIDown on api:8000") == true)
        #expect((team["html"] as? String)?.contains("http://vigil.test:9090/#/alerts?receiver=team") == true)
        #expect((team["max_line_length"] as? Int ?? 999) <= 78)

        let page = secure.mails[0]
        #expect(page["tls"] as? Bool == true)
        #expect(page["authenticated"] as? Bool == true)
        #expect((page["headers"] as? [String: String])?["Subject"] == "PAGE: ModelAPIDown")

        // Resolved: the team (send_resolved: true) hears about it, the pager (default false) does not.
        try await Self.post(vigil, "[" + Self.alertJSON(["alertname": "ModelAPIDown", "instance": "api:8000", "severity": "critical"],
                                                         endsAt: "2020-01-01T00:00:00Z") + "]")
        #expect(try await eventually(timeout: .seconds(15)) { plain.mails.count == 2 })
        #expect((plain.mails[1]["headers"] as? [String: String])?["Subject"] == "[RESOLVED] ModelAPIDown (api:8000 critical)")
        try await Task.sleep(for: .seconds(2))
        #expect(secure.mails.count == 1)
    }

    @Test func notifyTestExplainsWhatFailed() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = try await MailSink(dir: dir)
        let tls = try TLSAndLimitsIntegrationTests.selfSignedCertificate(in: dir)
        let smtps = try await MailSink(dir: dir, tls: tls, implicitTLS: true)
        let hook = try await WebhookReceiver(dir: dir)
        try """
            global: {smtp_from: vigil@example.org, smtp_smarthost: '127.0.0.1:\(plain.port)'}
            route: {receiver: ok}
            receivers:
              - name: ok
                email_configs: [{to: a@example.org, require_tls: false}]
                webhook_configs: [{url: '\(hook.url)'}]
              - name: cleartext
                email_configs: [{to: a@example.org}]
              - name: nobody-home
                email_configs: [{to: a@example.org, smarthost: '127.0.0.1:\(freePort())', require_tls: false}]
              - name: tls-from-the-start
                email_configs: [{to: a@example.org, smarthost: '127.0.0.1:\(smtps.port)', tls_config: {ca_file: '\(tls.cert)'}}]
            """.write(toFile: dir + "/am.yml", atomically: true, encoding: .utf8)
        func notify(_ receiver: String) throws -> (status: Int32, output: String) {
            try runTool(Paths.vigil, ["notify", "test", "--alertmanager.config.file", dir + "/am.yml", "--receiver", receiver, "--timeout", "10"])
        }
        let ok = try notify("ok")
        #expect(ok.status == 0 && ok.output.contains("email[0]: sent") && ok.output.contains("webhook[0]: sent"), "\(ok.output)")
        #expect(plain.mails.count == 1 && hook.payloads.count == 1)
        let clear = try notify("cleartext")
        #expect(clear.status == 1 && clear.output.contains("does not offer STARTTLS"), "\(clear.output)")
        // A server that waits for a TLS handshake on a port other than 465 is recognised by its silence.
        let implicit = try notify("tls-from-the-start")
        #expect(implicit.status == 0 && implicit.output.contains("email[0]: sent"), "\(implicit.output)")
        #expect(smtps.mails.first?["tls"] as? Bool == true)
        let refused = try notify("nobody-home")
        #expect(refused.status == 1 && refused.output.contains("connection refused"), "\(refused.output)")
        let check = try runTool(Paths.vigil, ["check", "alertmanager", Paths.repoRoot.appendingPathComponent("configs/alertmanager.yml").path])
        #expect(check.status == 0 && check.output.contains("SUCCESS"), "\(check.output)")
        let template = try runTool(Paths.vigil, ["template", "render", "--template.text", "{{ .CommonLabels.alertname | toLower }}"])
        #expect(template.output == "vigiltestnotification\n")
    }
}
