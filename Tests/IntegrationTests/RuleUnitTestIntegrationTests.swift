import Foundation
import Testing

/// `vigil test rules` gives the same verdict as the real `promtool test rules` on the same files:
/// passing files pass and failing ones fail, with a readable diff.
@Suite struct RuleUnitTestIntegrationTests {
    static let rules = """
    groups:
      - name: recording
        rules:
          - record: job:requests:rate5m
            expr: sum by (job) (rate(requests_total[5m]))
      - name: alerts
        rules:
          - alert: HighErrorRate
            expr: sum by (job) (rate(errors_total[5m])) / job:requests:rate5m > 0.1
            for: 5m
            labels:
              severity: page
            annotations:
              summary: "{{ $labels.job }} fails {{ $value | humanizePercentage }} of requests"
          - alert: InstanceDown
            expr: up == 0
            for: 2m
            labels:
              severity: "{{ if eq $labels.instance \\"db\\" }}critical{{ else }}warning{{ end }}"
            annotations:
              description: "{{ $labels.instance }} of {{ $externalLabels.cluster }} is down"
    """

    static func testFile(_ body: String) -> String {
        "rule_files: [rules.yml]\nevaluation_interval: 1m\ngroup_eval_order: [recording, alerts]\ntests:\n" + body
    }

    static let inputs = """
      - name: main
        interval: 1m
        external_labels:
          cluster: eu-1
        input_series:
          - series: 'requests_total{job="api", instance="a"}'
            values: '0+60x30'
          - series: 'errors_total{job="api", instance="a"}'
            values: '0+12x30'
          - series: 'up{job="db", instance="db"}'
            values: '1 1 0 0 0 0 0 stale'
          - series: 'up{job="api", instance="a"}'
            values: '1x30'

    """

    /// Name, test body (after the inputs), and whether it passes.
    static let cases: [(String, String, Bool)] = [
        ("pending-is-not-firing", "    alert_rule_test:\n      - eval_time: 5m\n        alertname: HighErrorRate\n        exp_alerts: []\n", true),
        ("fires-after-for", """
            alert_rule_test:
              - eval_time: 12m
                alertname: HighErrorRate
                exp_alerts:
                  - exp_labels: {severity: page, job: api}
                    exp_annotations: {summary: "api fails 20% of requests"}
              - eval_time: 4m30s
                alertname: InstanceDown
                exp_alerts:
                  - exp_labels: {severity: critical, job: db, instance: db}
                    exp_annotations: {description: "db of eu-1 is down"}

        """, true),
        ("wrong-annotation", """
            alert_rule_test:
              - eval_time: 12m
                alertname: HighErrorRate
                exp_alerts:
                  - exp_labels: {severity: page, job: api}
                    exp_annotations: {summary: "api fails 30% of requests"}

        """, false),
        ("fires-too-early", "    alert_rule_test:\n      - eval_time: 3m\n        alertname: InstanceDown\n        exp_alerts:\n          - exp_labels: {severity: critical, job: db, instance: db}\n            exp_annotations: {description: \"db of eu-1 is down\"}\n", false),
        ("resolved-after-stale", "    alert_rule_test:\n      - eval_time: 10m\n        alertname: InstanceDown\n        exp_alerts: []\n", true),
        ("expression", """
            promql_expr_test:
              - expr: job:requests:rate5m
                eval_time: 10m
                exp_samples:
                  - labels: 'job:requests:rate5m{job="api"}'
                    value: 1
              - expr: count(up)
                eval_time: 1m
                exp_samples:
                  - labels: '{}'
                    value: 2

        """, true),
        ("wrong-expression", "    promql_expr_test:\n      - expr: job:requests:rate5m\n        eval_time: 10m\n        exp_samples:\n          - labels: 'job:requests:rate5m{job=\"api\"}'\n            value: 3\n", false),
    ]

    @Test func verdictsMatchPromtool() throws {
        #expect(FileManager.default.fileExists(atPath: "/usr/bin/promtool"), "Debian's prometheus package provides promtool: run scripts/install-test-deps.sh")
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.rules.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        for (name, body, passes) in Self.cases {
            let path = dir + "/\(name).test.yml"
            try Self.testFile(Self.inputs + body).write(toFile: path, atomically: true, encoding: .utf8)
            let theirs = try RuleCheckIntegrationTests.run("/usr/bin/promtool", ["test", "rules", path])
            let ours = try RuleCheckIntegrationTests.run(Paths.vigil, ["test", "rules", path])
            #expect(theirs.status == (passes ? 0 : 1), "promtool on \(name):\n\(theirs.output)")
            #expect(ours.status == theirs.status, "\(name)\nVigil:\n\(ours.output)\npromtool:\n\(theirs.output)")
            if !passes { #expect(ours.output.contains("exp:") && ours.output.contains("got:"), "\(ours.output)") }
        }
        // --run selects test groups by name.
        let path = dir + "/wrong-annotation.test.yml"
        #expect(try RuleCheckIntegrationTests.run(Paths.vigil, ["test", "rules", "--run", "^nomatch$", path]).status == 0)
        #expect(try RuleCheckIntegrationTests.run(Paths.vigil, ["test", "rules", "--run", "^ma", path]).status == 1)

        // fuzzy_compare (a newer promtool option) tolerates rounding in expression values.
        let near = "    promql_expr_test:\n      - expr: job:requests:rate5m\n        eval_time: 10m\n        exp_samples:\n          - labels: 'job:requests:rate5m{job=\"api\"}'\n            value: 1.0000000001\n"
        try Self.testFile(Self.inputs + near).write(toFile: dir + "/near.test.yml", atomically: true, encoding: .utf8)
        try ("fuzzy_compare: true\n" + Self.testFile(Self.inputs + near)).write(toFile: dir + "/fuzzy.test.yml", atomically: true, encoding: .utf8)
        #expect(try RuleCheckIntegrationTests.run(Paths.vigil, ["test", "rules", dir + "/near.test.yml"]).status == 1)
        #expect(try RuleCheckIntegrationTests.run(Paths.vigil, ["test", "rules", dir + "/fuzzy.test.yml"]).status == 0)
        // Its tolerance is relative and small: a value off by a thousandth still fails.
        try ("fuzzy_compare: true\n" + Self.testFile(Self.inputs + near.replacingOccurrences(of: "1.0000000001", with: "1.001")))
            .write(toFile: dir + "/fuzzy-far.test.yml", atomically: true, encoding: .utf8)
        let far = try RuleCheckIntegrationTests.run(Paths.vigil, ["test", "rules", dir + "/fuzzy-far.test.yml"])
        #expect(far.status == 1 && far.output.contains("exp:"), "\(far.output)")
    }

    /// A recording rule that fails to evaluate (many-to-many matching) fails the test, even one
    /// whose expectations hold, naming the rule — as promtool does.
    @Test func aRuleThatFailsToEvaluateFailsTheTestAsInPromtool() throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        groups:
          - name: joins
            rules:
              - record: model:requests:joined
                expr: requests_total * on() requests_total
              - record: model:requests:sum
                expr: sum(requests_total)
        """.write(toFile: dir + "/joins.yml", atomically: true, encoding: .utf8)
        try """
        rule_files: [joins.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'requests_total{model="churn"}'
                values: '1 2 3'
              - series: 'requests_total{model="fraud"}'
                values: '1 2 3'
            promql_expr_test:
              - expr: model:requests:sum
                eval_time: 2m
                exp_samples:
                  - labels: 'model:requests:sum'
                    value: 6
        """.write(toFile: dir + "/joins.test.yml", atomically: true, encoding: .utf8)
        let theirs = try RuleCheckIntegrationTests.run("/usr/bin/promtool", ["test", "rules", dir + "/joins.test.yml"])
        let ours = try RuleCheckIntegrationTests.run(Paths.vigil, ["test", "rules", dir + "/joins.test.yml"])
        #expect(theirs.status == 1, "promtool:\n\(theirs.output)")
        #expect(ours.status == theirs.status, "Vigil:\n\(ours.output)\npromtool:\n\(theirs.output)")
        #expect(ours.output.contains("rule: model:requests:joined, time: 0s, err: found duplicate series"), "\(ours.output)")
        // Without the failing rule the same test passes on both.
        try String(contentsOfFile: dir + "/joins.yml", encoding: .utf8)
            .replacingOccurrences(of: "expr: requests_total * on() requests_total", with: "expr: requests_total * on(model) requests_total")
            .write(toFile: dir + "/joins.yml", atomically: true, encoding: .utf8)
        #expect(try RuleCheckIntegrationTests.run("/usr/bin/promtool", ["test", "rules", dir + "/joins.test.yml"]).status == 0)
        #expect(try RuleCheckIntegrationTests.run(Paths.vigil, ["test", "rules", dir + "/joins.test.yml"]).status == 0)
    }
}
