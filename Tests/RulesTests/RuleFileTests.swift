import Foundation
import PromQL
import Testing
@testable import Rules

@Suite struct RuleFileTests {
    static let repositoryRules = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../rules/alert.rules.yml").standardized.path

    @Test func readsTheShippedRuleFile() throws {
        let file = try RuleFile.load(Self.repositoryRules)
        #expect(file.groups.map(\.name) == ["model-api-shapes", "model-api-recording", "model-api-alerts", "vigil-self"])
        let shape = file.groups[0].rules[0]
        #expect(shape.kind == .recording(metric: "instance_species:python_iris_predictions:total"))
        let recording = file.groups[1].rules[0]
        #expect(recording.kind == .recording(metric: "job:python_request_operations:rate5m"))
        #expect(recording.expr.description == "sum by (job) (rate(python_request_operations_total[5m]))")
        let alert = file.groups[2].rules[0]
        #expect(alert.kind == .alerting(name: "ModelAPIDown"))
        #expect(alert.holdDuration.milliseconds == 60_000)
        #expect(alert.labels.map(\.name) == ["severity"])
        #expect(alert.annotations.map(\.name) == ["summary", "description"])
        #expect(file.ruleCount == 11)
    }

    @Test func readsGroupSettings() throws {
        let text = """
        groups:
          - name: g
            interval: 30s
            query_offset: 1m
            limit: 10
            labels:
              team: ml
            rules:
              - alert: A
                expr: up == 0
                keep_firing_for: 2m
        """
        let group = try RuleFile.parse(text, file: "g.yml").groups[0]
        #expect(group.interval?.milliseconds == 30_000)
        #expect(group.queryOffset?.milliseconds == 60_000)
        #expect(group.limit == 10)
        #expect(group.labels.map(\.name) == ["team"])
        #expect(group.rules[0].keepFiringFor.milliseconds == 120_000)
        let zero = try RuleFile.parse("groups:\n  - name: z\n    interval: 0s\n    rules: []\n", file: "z.yml").groups[0]
        #expect(zero.interval == nil, "a zero interval means the global evaluation_interval")
    }

    /// Each broken file is refused with the problem at its line.
    @Test(arguments: [
        ("groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n", 4, "groupname: \"a\" is repeated in the same file"),
        ("groups:\n  - name: ''\n    rules: []\n", 2, "Groupname must not be empty"),
        ("groups:\n  - name: a\n    rules:\n      - record: x\n        alert: y\n        expr: up\n", 4, "only one of 'record' and 'alert' must be set"),
        ("groups:\n  - name: a\n    rules:\n      - expr: up\n", 4, "one of 'record' or 'alert' must be set"),
        ("groups:\n  - name: a\n    rules:\n      - record: x\n", 4, "field 'expr' must be set in rule"),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: sum(rate(x[5m])\n", 5, "could not parse expression: 1:16: parse error"),
        ("groups:\n  - name: a\n    rules:\n      - record: 'not a name'\n        expr: up\n", 4, "invalid recording rule name: not a name"),
        ("groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        for: 5m\n", 4, "invalid field 'for' in recording rule"),
        ("groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        annotations:\n          a: b\n", 4, "invalid field 'annotations' in recording rule"),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels:\n          'bad-name': x\n", 4, "invalid label name: bad-name"),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        unknown: 1\n", 6, "field unknown not found in type rulefmt.RuleNode"),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up[5m]\n", 5, "invalid expression type \"range vector\""),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        for: soon\n", 6, "not a valid duration string"),
        ("groups: [\n", 0, "yaml:"),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n          summary: '{{ $labels.x '\n", 4,
         "annotation \"summary\": template: __alert_A:1: unclosed action"),
    ])
    func refusesBrokenFilesAtTheirLine(text: String, line: Int, message: String) {
        do {
            // Legacy names, as Prometheus 2 checks them (the name cases pass with UTF-8 names).
            _ = try RuleFile.parse(text, file: "bad.yml", nameValidation: .legacy)
            Issue.record("accepted:\n\(text)")
        } catch {
            #expect(error.problems.contains { $0.message.contains(message) && (line == 0 || $0.line == line) }, "\(error)")
        }
    }

    @Test func utf8NamesAreValidRecordAndLabelNamesUnlessTheSchemeIsLegacy() throws {
        let text = """
            groups:
              - name: a
                labels: {"team.name": ml}
                rules:
                  - record: "model.requests:rate5m"
                    expr: sum by ("http.status") (rate({"model.requests_total"}[5m]))
                    labels: {"source.kind": rule}
                  - alert: A
                    expr: up == 0
                    annotations: {"runbook.url": "http://x"}

            """
        let file = try RuleFile.parse(text, file: "utf8.yml")
        #expect(file.ruleCount == 2)
        do {
            _ = try RuleFile.parse(text, file: "utf8.yml", nameValidation: .legacy)
            Issue.record("legacy names accepted dots")
        } catch {
            #expect(error.problems.contains { $0.message.contains("invalid label name: team.name") }, "\(error)")
            #expect(error.problems.contains { $0.message.contains("invalid recording rule name: model.requests:rate5m") }, "\(error)")
        }
        #expect(throws: RuleFileError.self) { try RuleFile.parse("groups:\n  - name: a\n    rules:\n      - record: ''\n        expr: up\n", file: "e.yml") }
    }

    @Test func reportsEveryProblemInAFileNotJustTheFirst() {
        let text = "groups:\n  - name: a\n    rules:\n      - record: x\n      - alert: B\n        expr: up[1m]\n      - record: y\n        expr: up\n"
        do {
            _ = try RuleFile.parse(text, file: "bad.yml")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.line) == [4, 6])
        }
    }
}
