import MetricModel
import PromQL
import Testing
import TSDB
@testable import Rules

@Suite struct AnomalyRuleTests {
    static let yaml = """
    groups:
      - name: g
        rules:
          - anomaly: RateJump
            expr: sum by (species) (rate(predictions_total[1m]))
            baseline: 10m
            sigma: 3
            min_value: 0.5
            for: 1m
            labels:
              severity: warning
    """

    @Test func compilesIntoRecordingRulesAndAZScoreAlert() throws {
        let rules = try RuleFile.parse(Self.yaml, file: "a.yml").groups[0].rules
        #expect(rules.map(\.name) == ["anomaly:RateJump:value", "anomaly:RateJump:mean", "anomaly:RateJump:stddev", "RateJump"])
        #expect(rules.allSatisfy { $0.generatedBy == "RateJump" })
        #expect(rules[1].expr.description == "avg_over_time(anomaly:RateJump:value[10m])")
        #expect(rules[3].expr.description == "abs((anomaly:RateJump:value - anomaly:RateJump:mean) / anomaly:RateJump:stddev) > 3 and anomaly:RateJump:mean >= 0.5")
        #expect(rules[3].holdDuration.milliseconds == 60_000)
        #expect(rules[3].annotations.map(\.name) == ["summary", "description"], "sensible default annotations")
    }

    @Test(arguments: [
        ("groups:\n  - name: g\n    rules:\n      - anomaly: A\n        expr: up\n", "baseline"),
        ("groups:\n  - name: g\n    rules:\n      - anomaly: A\n        baseline: 1h\n", "'expr' must be set"),
        ("groups:\n  - name: g\n    rules:\n      - anomaly: A\n        expr: up\n        baseline: 1h\n        sigma: -1\n", "sigma must be positive"),
        ("groups:\n  - name: g\n    rules:\n      - anomaly: A\n        expr: up\n        baseline: 1h\n        surprise: 1\n", "line 7: field surprise not found"),
    ])
    func refusesIncompleteAnomalyRules(text: String, message: String) {
        do {
            _ = try RuleFile.parse(text, file: "a.yml")
            Issue.record("accepted")
        } catch {
            // A stray field is reported at its own line, other problems at the rule's.
            let (line, text) = message.hasPrefix("line 7: ") ? (7, String(message.dropFirst(8))) : (4, message)
            #expect(error.problems.contains { $0.message.contains(text) && $0.line == line }, "\(error)")
        }
    }

    /// A class whose rate jumps far from its steady past fires; a quiet class below min_value does not.
    @Test func firesOnAJumpButNotOnQuietSeries() throws {
        let head = Head.inMemory()
        var app = head.appender()
        var busy = 0.0, quiet = 0.0
        for s in stride(from: Int64(0), through: 1800, by: 15) {
            // 2/s with a little jitter for 20 minutes, then 10/s; the quiet class goes 0.05/s to 0.3/s.
            busy += s < 1200 ? 30 + Double((s / 15) % 3) : 150
            quiet += s < 1200 ? 0.75 : 4.5
            _ = app.append(ref: nil, labels: Labels(["__name__": "predictions_total", "species": "setosa"]), t: s * 1000, v: busy)
            _ = app.append(ref: nil, labels: Labels(["__name__": "predictions_total", "species": "rare"]), t: s * 1000, v: quiet)
        }
        _ = try app.commit()
        let yaml = Self.yaml.replacingOccurrences(of: "for: 1m", with: "for: 15s")
        var g = RuleGroupState(group: try RuleFile.parse(yaml, file: "a.yml").groups[0], file: "a.yml", defaultInterval: 15_000)
        var fired: Set<String> = []
        var zScores: [Double] = []
        for s in stride(from: Int64(0), through: 1800, by: 15) {
            g.evaluate(at: s * 1000, engine: Engine(), querier: head, storage: head)
            for alert in g.alerting[3]?.active ?? [] where alert.state == .firing {
                fired.insert(alert.labels["species"])
                zScores.append(alert.value)
                #expect(alert.labels["severity"] == "warning")
                #expect(s >= 1200, "nothing fires while the rate is steady")
            }
        }
        #expect(fired == ["setosa"], "the quiet class stays under min_value and never pages")
        #expect(zScores.allSatisfy { $0 > 3 }, "the alert's value is the z-score: \(zScores)")
        #expect(g.health.allSatisfy { $0.status == .ok })
    }
}
