import Alertmanager
import Foundation
import GoTemplate
import MetricModel
import Testing

@Suite struct NotificationTemplateTests {
    static let now: Int64 = 1_795_000_000_000

    static func notification(resolvedSecond: Bool = false) -> GroupNotification {
        let a = ManagedAlert(labels: Labels(["alertname": "HighLatency", "job": "api", "instance": "a:1", "severity": "warning"]),
                             annotations: Labels(["summary": "p95 above 1s"]), startsAt: now - 60_000, endsAt: nil, updatedAt: now)
        let b = ManagedAlert(labels: Labels(["alertname": "HighLatency", "job": "api", "instance": "b:1", "severity": "warning"]),
                             annotations: Labels(["summary": "p95 above 2s"]), startsAt: now - 60_000,
                             endsAt: resolvedSecond ? now - 1 : nil, updatedAt: now)
        return GroupNotification(receiver: "team", groupKey: #"{}:{alertname="HighLatency"}"#, groupLabels: Labels(["alertname": "HighLatency"]),
                            alerts: [a, b], externalURL: "http://vigil:9090", now: now)
    }

    @Test func defaultSubjectNamesStatusCountGroupAndCommonLabels() throws {
        let t = NotificationTemplates.defaults
        #expect(try t.render(EmailIntegration.defaultSubject, Self.notification()) == "[FIRING:2] HighLatency (api warning)")
        #expect(try t.render(EmailIntegration.defaultSubject, Self.notification(resolvedSecond: true)) == "[FIRING:1] HighLatency (api warning)")
    }

    @Test(arguments: [
        ("{{ .Status }} {{ len .Alerts }} {{ len .Alerts.Firing }} {{ len .Alerts.Resolved }}", "firing 2 1 1"),
        ("{{ range .Alerts.Resolved }}{{ .Labels.instance }}{{ end }}", "b:1"),
        ("{{ .CommonLabels.SortedPairs.Names | join \",\" }}", "alertname,job,severity"),
        ("{{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }}{{ end }}", "alertname=HighLatency"),
        ("{{ .CommonLabels.Remove (stringSlice \"job\" \"severity\") }}", "map[alertname:HighLatency]"),
        ("{{ (index .Alerts 0).Annotations.summary | toUpper }}", "P95 ABOVE 1S"),
        ("{{ .ExternalURL }} {{ .Receiver }}", "http://vigil:9090 team"),
        ("{{ (index .Alerts 1).EndsAt }}", "2026-11-18 11:06:39.999 +0000 UTC"),
        ("{{ reReplaceAll \"(.*):1\" \"$1\" (index .Alerts 0).Labels.instance }}", "a"),
    ])
    func alertmanagerTemplateDataAndFunctions(text: String, expected: String) throws {
        #expect(try NotificationTemplates.defaults.render(text, Self.notification(resolvedSecond: true)) == expected)
    }

    @Test func templateFilesDefineAndOverrideNamedTemplates() throws {
        let dir = NSTemporaryDirectory() + "tmpl-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{{ define "email.default.subject" }}Custom: {{ .CommonLabels.alertname }}{{ end }}{{ define "team.body" }}{{ len .Alerts }} alerts{{ end }}"#
            .write(toFile: dir + "/team.tmpl", atomically: true, encoding: .utf8)
        let t = try NotificationTemplates.load(globs: ["*.tmpl"], baseDirectory: dir, file: dir + "/am.yml")
        #expect(try t.render(EmailIntegration.defaultSubject, Self.notification()) == "Custom: HighLatency")
        #expect(try t.render(#"{{ template "team.body" . }}"#, Self.notification()) == "2 alerts")
    }

    @Test func aBrokenTemplateIsAnErrorNotACrash() {
        #expect(throws: TemplateError.self) { try NotificationTemplates.defaults.render("{{ .Alerts.Nope.x", Self.notification()) }
        #expect(throws: TemplateError.self) { try NotificationTemplates.defaults.render(#"{{ template "missing" . }}"#, Self.notification()) }
    }

    @Test func webhookPayloadHasAlertmanagersVersion4Shape() throws {
        let n = Self.notification(resolvedSecond: true).truncated(to: 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(WebhookIntegration.payload(n).utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["receiver", "status", "alerts", "groupLabels", "commonLabels", "commonAnnotations", "externalURL",
                                   "version", "groupKey", "truncatedAlerts"])
        #expect(json["version"] as? String == "4")
        #expect(json["truncatedAlerts"] as? Int == 1)
        #expect(json["groupKey"] as? String == #"{}:{alertname="HighLatency"}"#)
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        #expect(Set(alerts[0].keys) == ["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"])
        #expect(alerts[0]["endsAt"] as? String == "0001-01-01T00:00:00Z", "firing alerts carry the zero end time")
        #expect(alerts[0]["startsAt"] as? String == "2026-11-18T11:05:40Z")
        #expect((json["commonLabels"] as? [String: String])?["job"] == "api")
        #expect((json["commonAnnotations"] as? [String: String])?.isEmpty == true)
    }
}

@Suite struct MailMessageTests {
    @Test func multipartBodiesStayShortSevenBitAndDotStuffed() {
        var m = MailMessage(from: "Vigil <v@example.org>", to: ["a@example.org"], subject: "Prüfung – alerts",
                            text: String(repeating: "é", count: 100) + "\n.starts with a dot\nend", html: "<p>" + String(repeating: "x", count: 300) + "</p>")
        m.headers = [("X-Team", "ml")]
        let data = m.dataSection(date: Date(timeIntervalSince1970: 0), messageID: "1@vigil", boundary: "BOUNDARY")
        let lines = data.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "\(lines.filter { $0.utf8.count > 78 })")
        #expect(data.unicodeScalars.allSatisfy { $0.value < 128 })
        #expect(lines.contains("..starts with a dot"))
        #expect(lines.contains("Subject: =?UTF-8?b?UHLDvGZ1bmcg4oCTIGFsZXJ0cw==?="))
        #expect(lines.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(lines.contains("Message-Id: <1@vigil>"))
        #expect(lines.contains("X-Team: ml"))
        #expect(lines.contains("Content-Type: text/plain; charset=UTF-8"))
        #expect(lines.contains("Content-Type: text/html; charset=UTF-8"))
        #expect(lines.last == "--BOUNDARY--")
    }

    @Test(arguments: [
        ("a@example.org, \"Doe, J\" <j@example.org>,b@example.org", ["a@example.org", "\"Doe, J\" <j@example.org>", "b@example.org"]),
        ("solo@example.org", ["solo@example.org"]),
    ])
    func addressListsSplitOutsideQuotesAndBrackets(list: String, expected: [String]) {
        #expect(MailMessage.splitAddresses(list) == expected)
    }

    @Test func bareAddressesForTheEnvelope() {
        #expect(MailMessage.bareAddress("Vigil <v@example.org>") == "v@example.org")
        #expect(MailMessage.bareAddress("v@example.org") == "v@example.org")
        #expect(MailMessage.bareAddress("not an address") == nil)
        #expect(MailMessage.bareAddress("x@y>\r\nRCPT TO:<z@w") == nil, "no command injection through addresses")
    }

    @Test func cramMD5MatchesRFC2195() {
        // The example exchange of RFC 2195 section 2.
        let response = SMTPAuthMechanism.cramMD5Response(challengeBase64: "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
                                                         username: "tim", secret: "tanstaaftanstaaf")
        #expect(response == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")
    }
}
