import Foundation
import MetricModel
import PromQL
import TSDB

/// Runs rule unit tests as `promtool test rules` does: input series in a fresh head, every rule
/// group evaluated at each `evaluation_interval` from time zero (a rule that fails to evaluate
/// fails its test group), firing alerts compared at each `alert_rule_test` time, and expression
/// values compared exactly (NaN equal to NaN), or within a small relative tolerance when the file
/// sets `fuzzy_compare`.
public struct RuleUnitTestRunner: Sendable {
    /// promtool's float tolerance.
    public static let epsilon = 1e-6

    public init() {}

    /// The problems found in one file (empty when every test passes); `run` selects test groups by name.
    public func run(_ file: RuleUnitTestFile, only run: NSRegularExpression? = nil) -> [String] {
        let ruleFiles: [RuleFile]
        do { ruleFiles = try RuleFile.loadAll(file.ruleFiles) } catch { return error.problems.map(\.description) }
        if ruleFiles.isEmpty && !file.ruleFiles.isEmpty { return ["no rule files matched \(file.ruleFiles)"] }
        var problems: [String] = []
        for group in file.tests {
            if let run, run.firstMatch(in: group.name, range: NSRange(group.name.startIndex..., in: group.name)) == nil { continue }
            problems += runGroup(group, file: file, ruleFiles: ruleFiles)
        }
        return problems
    }

    private func runGroup(_ test: RuleUnitTestFile.TestGroup, file: RuleUnitTestFile, ruleFiles: [RuleFile]) -> [String] {
        let head = Head.inMemory()
        var app = head.appender()
        for (labels, points) in test.inputSeries {
            for (k, p) in points.enumerated() {
                if case .value(let v) = p { _ = app.append(ref: nil, labels: labels, t: Int64(k) * test.interval, v: v) }
            }
        }
        do { _ = try app.commit() } catch { return ["cannot store the input series: \(error)"] }

        var groups = ruleFiles.flatMap { f in f.groups.map { RuleGroupState(group: $0, file: f.path, defaultInterval: file.evaluationInterval) } }
        if !file.groupEvalOrder.isEmpty {
            let order = file.groupEvalOrder
            groups.sort { (order.firstIndex(of: $0.group.name) ?? Int.max) < (order.firstIndex(of: $1.group.name) ?? Int.max) }
        }
        let templates = RuleTemplates(externalLabels: test.externalLabels, externalURL: test.externalURL)
        for i in groups.indices { groups[i].templates = templates }

        let engine = Engine()
        var problems: [String] = []
        let alertTests = test.alertTests.sorted { $0.evalTime < $1.evalTime }
        let lastTime = max(alertTests.last?.evalTime ?? 0, test.exprTests.map(\.evalTime).max() ?? 0)
        var next = 0
        var ts: Int64 = 0
        while ts <= lastTime {
            for i in groups.indices { groups[i].evaluate(at: ts, engine: engine, querier: head, storage: head) }
            // A rule that fails to evaluate (many-to-many matching, say) fails the test group at
            // once, as in promtool, whatever the expectations would have said.
            let failed = groups.flatMap { g in
                zip(g.group.rules, g.health).compactMap { rule, health in
                    health.status == .err ? "    rule: \(rule.name), time: \(PromDuration(milliseconds: ts)), err: \(health.lastError)" : nil
                }
            }
            if !failed.isEmpty { return Self.named(test, problems + failed) }
            // Tests whose time falls in [ts, ts + interval) see this evaluation.
            while next < alertTests.count, alertTests[next].evalTime >= ts, alertTests[next].evalTime < ts + file.evaluationInterval {
                if let problem = check(alertTests[next], groups) { problems.append(problem) }
                next += 1
            }
            ts += file.evaluationInterval
        }
        for t in test.exprTests {
            if let problem = check(t, engine: engine, querier: head, fuzzy: file.fuzzyCompare) { problems.append(problem) }
        }
        return Self.named(test, problems)
    }

    /// Problems as promtool lists them: each under its test group's name, when it has one.
    private static func named(_ test: RuleUnitTestFile.TestGroup, _ problems: [String]) -> [String] {
        problems.map { test.name.isEmpty ? $0 : "    name: \(test.name),\n" + $0 }
    }

    private func check(_ t: RuleUnitTestFile.AlertTest, _ groups: [RuleGroupState]) -> String? {
        var got: [(labels: Labels, annotations: [String: String])] = []
        for g in groups {
            for state in g.alerting.compactMap({ $0 }) where state.name == t.alertname {
                got += state.active.filter { $0.state == .firing }.map { ($0.labels, $0.annotations) }
            }
        }
        let expected = t.expected.sorted { $0.labels < $1.labels }
        got.sort { $0.labels < $1.labels }
        let same = expected.count == got.count && zip(expected, got).allSatisfy { $0.labels == $1.labels && $0.annotations == $1.annotations }
        if same { return nil }
        return "    alertname: \(t.alertname), time: \(PromDuration(milliseconds: t.evalTime)), \n"
            + "        exp:\(Self.describe(expected)), \n"
            + "        got:\(Self.describe(got))"
    }

    private func check(_ t: RuleUnitTestFile.ExprTest, engine: Engine, querier: any Querier, fuzzy: Bool) -> String? {
        let got: [(labels: Labels, value: Double)]
        do {
            switch try engine.instantQuery(t.expr, at: t.evalTime, querier: querier) {
            case .vector(let v): got = v.map { ($0.labels, $0.v) }
            case .scalar(_, let v): got = [(.empty, v)]
            default: return "    expr: \(Self.quote(t.expr)), time: \(PromDuration(milliseconds: t.evalTime)), err: the expression is not a vector or scalar"
            }
        } catch {
            return "    expr: \(Self.quote(t.expr)), time: \(PromDuration(milliseconds: t.evalTime)), err: \(error)"
        }
        let expected = t.expected.sorted { $0.labels < $1.labels }
        let sorted = got.sorted { $0.labels < $1.labels }
        let same = expected.count == sorted.count && zip(expected, sorted).allSatisfy {
            $0.labels == $1.labels && (fuzzy ? Self.almostEqual($0.value, $1.value) : ($0.value == $1.value || ($0.value.isNaN && $1.value.isNaN)))
        }
        if same { return nil }
        func list(_ s: [(labels: Labels, value: Double)]) -> String {
            "[" + s.map { "\($0.labels.fullDescription) \(GoFloat.exponent($0.value).uppercased())" }.joined(separator: ", ") + "]"
        }
        return "    expr: \(Self.quote(t.expr)), time: \(PromDuration(milliseconds: t.evalTime)),\n"
            + "        exp: \(list(expected))\n"
            + "        got: \(list(sorted))"
    }

    /// Equal within a relative tolerance; NaN equals NaN, as promtool compares.
    static func almostEqual(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN && b.isNaN { return true }
        if a == b { return true }
        let diff = abs(a - b)
        if a == 0 || b == 0 || diff < Double.leastNormalMagnitude { return diff < epsilon * Double.leastNormalMagnitude }
        return diff / (abs(a) + abs(b)) < epsilon
    }

    static func describe(_ alerts: [(labels: Labels, annotations: [String: String])]) -> String {
        if alerts.isEmpty { return "[]" }
        var out = "[\n"
        for (i, a) in alerts.enumerated() {
            out += "            \(i):\n"
            out += "              Labels:\(a.labels.fullDescription)\n"
            out += "              Annotations:{" + a.annotations.keys.sorted().map { "\($0)=\(quote(a.annotations[$0] ?? ""))" }.joined(separator: ", ") + "}\n"
        }
        return out + "            ]"
    }

    static func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
}
