import Alertmanager
import Foundation
import MetricModel
import Testing

@Suite struct AlertmanagerConfigurationTests {
    static let repositoryConfig = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("configs/alertmanager.yml").path

    @Test func theShippedExampleLoads() throws {
        let c = try AlertmanagerConfiguration.load(file: Self.repositoryConfig)
        #expect(c.receivers.map(\.name) == ["oncall-email", "log-only"])
        #expect(c.route.routes.count == 2)
        #expect(c.inhibitRules.count == 1)
        #expect(c.receivers[0].emailConfigs.first?.sendResolved == true)
        #expect(c.receivers[0].emailConfigs.first?.requireTLS == false)
        #expect(c.warnings.isEmpty)
    }

    @Test func childRoutesInheritOptionsAndBuildAlertmanagersKeys() throws {
        let c = try AlertmanagerConfiguration.parse("""
            route:
              receiver: a
              group_by: [alertname]
              group_wait: 10s
              routes:
                - matchers: ['team="ml"', 'severity=~"crit|page"']
                  receiver: b
                  repeat_interval: 1h
                  routes:
                    - match: {env: prod}
                - match_re: {service: "api|web"}
                  group_by: ['...']
            receivers: [{name: a}, {name: b}]
            """, file: "am.yml")
        let ml = c.route.routes[0]
        #expect(c.route.key == "{}")
        #expect(ml.key == #"{}/{severity=~"crit|page",team="ml"}"#)
        #expect(ml.routes[0].key == #"{}/{severity=~"crit|page",team="ml"}/{env="prod"}"#)
        #expect(ml.groupWait.milliseconds == 10_000)
        #expect(ml.groupInterval.milliseconds == 300_000)
        #expect(ml.repeatInterval.milliseconds == 3_600_000)
        #expect(ml.routes[0].receiver == "b")
        #expect(ml.routes[0].repeatInterval.milliseconds == 3_600_000)
        #expect(ml.groupBy == .labels(["alertname"]))
        #expect(c.route.routes[1].groupBy == .all)
    }

    @Test(arguments: [
        ("route: {receiver: x}\nreceivers: [{name: a}]", 1, "undefined receiver \"x\" used in route"),
        ("route:\n  receiver: a\n  matchers: ['a=b']\nreceivers: [{name: a}]", 2, "root route must not have any matchers"),
        ("receivers: [{name: a}]", 1, "no route provided in config"),
        ("route: {receiver: a}\nreceivers:\n  - name: a\n  - name: a", 4, "is not unique"),
        ("route:\n  receiver: a\n  routes:\n    - matchers: ['a=~\"(\"']\nreceivers: [{name: a}]", 4, "invalid regular expression"),
        ("route: {receiver: a}\nreceivers: [{name: a}]\nunknown: 1", 3, "field unknown not found"),
        ("route: {receiver: a, group_by: ['...', job]}\nreceivers: [{name: a}]", 1, "cannot have wildcard group_by"),
        ("route: {receiver: a}\nreceivers:\n  - name: a\n    email_configs:\n      - to: x@y", 5, "no global SMTP from set"),
        ("route: {receiver: a}\nreceivers:\n  - name: a\n    webhook_configs:\n      - url: ftp://x", 5, "unsupported scheme"),
        ("route: {receiver: a, mute_time_intervals: [night]}\nreceivers: [{name: a}]", 1, "undefined time interval \"night\""),
        ("route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals:\n  - name: t\n    time_intervals:\n      - times: [{start_time: '25:00', end_time: '26:00'}]", 6, "times:"),
    ])
    func invalidFilesAreRefusedWithTheirLine(text: String, line: Int, message: String) {
        do {
            _ = try AlertmanagerConfiguration.parse(text, file: "am.yml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func integrationsVigilDoesNotHaveAreAcceptedWithAWarning() throws {
        let c = try AlertmanagerConfiguration.parse("""
            global:
              victorops_api_key: x
            route: {receiver: a}
            receivers:
              - name: a
                pushover_configs: [{user_key: u, token: t}]
            """, file: "am.yml")
        #expect(c.warnings.count == 2)
        #expect(c.receivers[0].integrations.isEmpty)
    }

    @Test func slackAndDiscordConfigsTakeTheirURLsAndAlertmanagersChecks() throws {
        let c = try AlertmanagerConfiguration.parse("""
            global:
              slack_api_url: https://hooks.example/x
            route: {receiver: a}
            receivers:
              - name: a
                slack_configs: [{channel: '#x'}, {api_url: 'https://hooks.example/y', send_resolved: true, app_token: t}]
            """, file: "am.yml")
        #expect(c.receivers[0].slackConfigs.map { $0.apiURL?.value } == ["https://hooks.example/x", "https://hooks.example/y"])
        #expect(c.receivers[0].slackConfigs.map(\.sendResolved) == [false, true])
        #expect(c.receivers[0].integrations.map(\.kind) == ["slack", "slack"])
        #expect(c.warnings.count == 1, "app_token, of newer Alertmanagers, is accepted with a warning: \(c.warnings)")
        for (body, message) in [
            ("slack_configs: [{channel: '#x'}]", "no global Slack API URL set"),
            ("slack_configs: [{api_url: 'https://h/x', api_url_file: /f}]", "at most one of api_url & api_url_file"),
            ("slack_configs: [{api_url: 'ftp://h/x'}]", "unsupported scheme"),
            ("slack_configs: [{api_url: 'https://h/x', actions: [{type: button, url: 'https://x'}]}]", "missing text in Slack action"),
            ("slack_configs: [{api_url: 'https://h/x', fields: [{title: t}]}]", "missing value in Slack field"),
            ("slack_configs: [{api_url: 'https://h/x', colour: red}]", "colour"),
            ("discord_configs: [{title: t}]", "one of webhook_url or webhook_url_file"),
            ("discord_configs: [{webhook_url: 'https://h/x', webhook_url_file: /f}]", "at most one of webhook_url & webhook_url_file"),
        ] {
            do {
                _ = try AlertmanagerConfiguration.parse("route: {receiver: a}\nreceivers:\n  - name: a\n    \(body)\n", file: "am.yml")
                Issue.record("accepted: \(body)")
            } catch {
                #expect(error.message.contains(message), "\(body): \(error)")
            }
        }
    }

    @Test func incidentAndChatConfigsTakeGlobalDefaultsAndAlertmanagersChecks() throws {
        let c = try AlertmanagerConfiguration.parse("""
            global:
              pagerduty_url: https://pd.example/v2/enqueue
              opsgenie_api_key: og-key
              telegram_api_url: https://tg.example/
            route: {receiver: a}
            receivers:
              - name: a
                pagerduty_configs: [{routing_key: r}, {service_key: s}, {service_key: s, url: 'https://pd.example/v1', details: {firing: x, team: ml}}]
                opsgenie_configs: [{responders: [{name: ml, type: team}], priority: P3}, {api_key: other, api_url: 'https://og.example'}]
                telegram_configs: [{bot_token: t, chat_id: -100123}]
                msteamsv2_configs: [{webhook_url: 'https://teams.example/x'}]
            """, file: "am.yml")
        let r = c.receivers[0]
        #expect(r.integrations.map(\.kind) == ["pagerduty", "pagerduty", "pagerduty", "opsgenie", "opsgenie", "telegram", "msteamsv2"])
        #expect(r.pagerdutyConfigs.map(\.url) == ["https://pd.example/v2/enqueue", "https://pd.example/v2/enqueue", "https://pd.example/v1"])
        #expect(r.pagerdutyConfigs.map(\.usesEventsV2) == [true, false, false])
        #expect(r.pagerdutyConfigs[2].details.map(\.0) == ["resolved", "num_firing", "num_resolved", "firing", "team"])
        #expect(r.opsgenieConfigs.map { $0.apiKey?.value } == ["og-key", "other"])
        #expect(r.opsgenieConfigs.map(\.apiURL) == ["https://api.opsgenie.com/", "https://og.example/"])
        #expect(r.telegramConfigs.first?.apiURL == "https://tg.example" && r.telegramConfigs.first?.chatID == -100123)
        #expect(r.telegramConfigs.first?.parseMode == "HTML")
        #expect(c.warnings.isEmpty, "\(c.warnings)")
        for (body, message) in [
            ("pagerduty_configs: [{severity: error}]", "missing service or routing key"),
            ("pagerduty_configs: [{routing_key: r, routing_key_file: /f}]", "at most one of routing_key & routing_key_file"),
            ("pagerduty_configs: [{routing_key: r, url: 'ftp://x'}]", "unsupported scheme"),
            ("opsgenie_configs: [{message: m}]", "no global opsgenie_api_key"),
            ("opsgenie_configs: [{api_key: k, priority: P9}]", "invalid priority"),
            ("opsgenie_configs: [{api_key: k, responders: [{name: a, id: b, type: team}]}]", "exactly one of id, name or username"),
            ("opsgenie_configs: [{api_key: k, responders: [{name: a, type: squad}]}]", "is not one of team"),
            ("telegram_configs: [{chat_id: 1}]", "missing bot_token"),
            ("telegram_configs: [{bot_token: t}]", "missing chat_id"),
            ("telegram_configs: [{bot_token: t, chat_id: 1, parse_mode: Html}]", "unknown parse_mode"),
            ("msteamsv2_configs: [{title: t}]", "one of webhook_url or webhook_url_file"),
        ] {
            do {
                _ = try AlertmanagerConfiguration.parse("route: {receiver: a}\nreceivers:\n  - name: a\n    \(body)\n", file: "am.yml")
                Issue.record("accepted: \(body)")
            } catch {
                #expect(error.message.contains(message), "\(body): \(error)")
            }
        }
    }

    @Test func globalSMTPSettingsFillEmailConfigs() throws {
        let c = try AlertmanagerConfiguration.parse("""
            global:
              smtp_from: vigil@example.org
              smtp_smarthost: mail.example.org:587
              smtp_auth_username: u
              smtp_auth_password: p
            route: {receiver: a}
            receivers:
              - name: a
                email_configs:
                  - to: x@example.org
                    headers: {subject: 'Hi', x-team: ml}
            """, file: "am.yml")
        let e = try #require(c.receivers[0].emailConfigs.first)
        #expect(e.from == "vigil@example.org")
        #expect(e.smarthost == "mail.example.org:587")
        #expect(e.authUsername == "u")
        #expect(e.authPassword?.value == "p")
        #expect(e.requireTLS)
        #expect(!e.sendResolved)
        #expect(e.headers.map(\.0) == ["Subject", "X-Team"])
    }

    @Test func timeIntervalsMatchWeekdaysTimesAndMonthEnds() throws {
        let c = try AlertmanagerConfiguration.parse("""
            route: {receiver: a}
            receivers: [{name: a}]
            time_intervals:
              - name: office
                time_intervals:
                  - weekdays: ['monday:friday']
                    times: [{start_time: '09:00', end_time: '17:00'}]
              - name: month-end
                time_intervals:
                  - days_of_month: ['-2:-1']
                    months: [november]
            """, file: "am.yml")
        let office = try #require(c.timeIntervals["office"]?.first)
        let monthEnd = try #require(c.timeIntervals["month-end"]?.first)
        // 2026-11-23 is a Monday; 2026-11-22 a Sunday.
        #expect(office.contains(ms("2026-11-23T10:30:00Z")))
        #expect(!office.contains(ms("2026-11-23T17:00:00Z")))
        #expect(!office.contains(ms("2026-11-22T10:30:00Z")))
        #expect(monthEnd.contains(ms("2026-11-30T12:00:00Z")))
        #expect(monthEnd.contains(ms("2026-11-29T00:00:00Z")))
        #expect(!monthEnd.contains(ms("2026-11-28T23:59:00Z")))
        #expect(!monthEnd.contains(ms("2026-12-31T12:00:00Z")))
    }

    func ms(_ s: String) -> Int64 { GoTime.parse(s) ?? 0 }
}

@Suite struct MatcherSyntaxTests {
    @Test(arguments: [
        ("alertname=Down", "alertname", LabelMatcher.Kind.equal, "Down"),
        (#"severity =~ "crit|page""#, "severity", .regexMatch, "crit|page"),
        (#"{job!="api"}"#, "job", .notEqual, "api"),
        (#"path!~"/health.*""#, "path", .regexNoMatch, "/health.*"),
        (#""service.name"="a\"b""#, "service.name", .equal, #"a"b"#),
        ("team = ml team ", "team", .equal, "ml team"),
    ])
    func parsesOneMatcher(text: String, name: String, kind: LabelMatcher.Kind, value: String) throws {
        let m = try MatcherSyntax.parseOne(text)
        #expect(m.name == name)
        #expect(m.kind == kind)
        #expect(m.value == value)
    }

    @Test func parsesLists() throws {
        let list = try MatcherSyntax.parseList(#"{alertname="A", severity=~"x|y",}"#)
        #expect(list.map(\.name) == ["alertname", "severity"])
        #expect(MatcherSyntax.format(list) == #"{alertname="A",severity=~"x|y"}"#)
    }

    @Test(arguments: ["=x", "a", "a=\"x\"y", #"a="unterminated"#, "{a=b", "a=~(", "a=b} c"])
    func refusesMalformedMatchers(text: String) {
        #expect(throws: MatcherSyntaxError.self) { try MatcherSyntax.parseList(text) }
    }

    @Test func routesMatchTheDeepestRoutesAndHonourContinue() throws {
        let c = try AlertmanagerConfiguration.parse("""
            route:
              receiver: root
              routes:
                - matchers: [team=ml]
                  receiver: ml
                  continue: true
                - matchers: [severity=critical]
                  receiver: pager
                - matchers: [team=ml]
                  receiver: never
            receivers: [{name: root}, {name: ml}, {name: pager}, {name: never}]
            """, file: "am.yml")
        #expect(c.route.match(Labels(["team": "ml", "severity": "critical"])).map(\.receiver) == ["ml", "pager"])
        #expect(c.route.match(Labels(["team": "ml"])).map(\.receiver) == ["ml", "never"])
        #expect(c.route.match(Labels(["team": "web"])).map(\.receiver) == ["root"])
    }
}
