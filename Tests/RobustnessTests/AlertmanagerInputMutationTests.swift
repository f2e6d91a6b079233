import Alertmanager
import Foundation
import MetricModel
import Testing

/// Mutated alertmanager.yml files, matcher lists and notification templates: errors, never traps.
@Suite struct AlertmanagerInputMutationTests {
    static let config = Array("""
    global:
      smtp_from: 'Vigil <v@example.org>'
      smtp_smarthost: 'mail:587'
    route:
      receiver: a
      group_by: ['alertname', 'job']
      routes:
        - matchers: ['severity=~"crit|page"', team="ml"]
          receiver: b
          mute_time_intervals: [night]
    inhibit_rules:
      - source_match: {alertname: Down}
        target_match_re: {severity: 'warn.*'}
        equal: [instance]
    time_intervals:
      - name: night
        time_intervals:
          - times: [{start_time: '22:00', end_time: '24:00'}]
            weekdays: ['monday:friday']
            days_of_month: ['-3:-1']
    receivers:
      - name: a
        email_configs: [{to: 'x@example.org', headers: {Subject: '{{ .Status }}'}}]
      - name: b
        webhook_configs: [{url: 'http://hook:5001/', max_alerts: 3}]

    """.utf8)

    @Test func configDecoderNeverTraps() {
        var m = Mutator(state: 11)
        var accepted = 0
        for _ in 0..<5_000 {
            let text = String(decoding: m.mutate(Self.config), as: UTF8.self)
            if (try? AlertmanagerConfiguration.parse(text, file: "am.yml")) != nil { accepted += 1 }
        }
        #expect(accepted > 0 && accepted < 5_000)
    }

    @Test func matcherParserNeverTraps() {
        let seeds = [#"{alertname="Down", severity=~"crit|page",}"#, #"job!~"api.*", "utf8.name"="x\"y""#, "team = ml"]
        var m = Mutator(state: 12)
        for i in 0..<20_000 {
            let text = String(decoding: m.mutate(Array(seeds[i % seeds.count].utf8)), as: UTF8.self)
            if let list = try? MatcherSyntax.parseList(text) { _ = Labels(["alertname": "Down"]).matches(list) }
        }
    }

    @Test func notificationTemplatesNeverTrap() {
        let seed = Array(#"{{ range .Alerts.Firing }}{{ .Labels.SortedPairs.Values | join " " }}{{ end }}{{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values }}{{ end }}"#.utf8)
        let n = GroupNotification.sample(receiver: "r", externalURL: "http://x", now: 1_700_000_000_000)
        var m = Mutator(state: 13)
        for _ in 0..<5_000 {
            _ = try? NotificationTemplates.defaults.render(String(decoding: m.mutate(seed), as: UTF8.self), n)
        }
    }
}
