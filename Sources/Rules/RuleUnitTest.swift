import ConfigSupport
import Foundation
import MetricModel
import PromQL

/// A rule unit-test file in the format of `promtool test rules`.
public struct RuleUnitTestFile: Sendable {
    public var path: String
    public var ruleFiles: [String]
    public var evaluationInterval: Int64
    public var groupEvalOrder: [String]
    /// `fuzzy_compare`: expression values equal within a small relative tolerance instead of exactly.
    public var fuzzyCompare = false
    public var tests: [TestGroup]

    /// One entry of `tests`: input series and the expectations checked against them.
    public struct TestGroup: Sendable {
        public var name: String
        public var interval: Int64
        public var inputSeries: [(labels: Labels, points: [SeriesValues.Point])]
        public var alertTests: [AlertTest]
        public var exprTests: [ExprTest]
        public var externalLabels: [String: String]
        public var externalURL: String
    }

    /// `alert_rule_test`: the firing alerts of one alert name at one time.
    public struct AlertTest: Sendable {
        public var evalTime: Int64
        public var alertname: String
        public var expected: [(labels: Labels, annotations: [String: String])]
        public var line: Int
    }

    /// `promql_expr_test`: an expression's samples at one time.
    public struct ExprTest: Sendable {
        public var expr: String
        public var evalTime: Int64
        public var expected: [(labels: Labels, value: Double)]
        public var line: Int
    }

    public static func load(_ path: String) throws(ConfigError) -> RuleUnitTestFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(file: path, line: 0, message: "cannot read file: \(error.localizedDescription)")
        }
        let root = try YAMLValue.parse(text, file: path)
        var ctx = DecodeContext(file: path)
        var m = try MappingReader(root, what: "unitTestFile", ctx)
        let base = FilePaths.directory(of: path)
        let ruleFiles = (try m.stringList("rule_files", ctx) ?? []).map { $0.hasPrefix("/") || base.isEmpty ? $0 : base + "/" + $0 }
        let evaluationInterval = try m.duration("evaluation_interval", ctx)?.milliseconds ?? 60_000
        let order = try m.stringList("group_eval_order", ctx) ?? []
        var tests: [TestGroup] = []
        for item in try m.sequence("tests", ctx) ?? [] {
            tests.append(try decodeGroup(item, &ctx))
        }
        let fuzzy = try m.bool("fuzzy_compare", ctx) ?? false
        try m.finish(&ctx)
        return RuleUnitTestFile(path: path, ruleFiles: ruleFiles, evaluationInterval: evaluationInterval, groupEvalOrder: order,
                                fuzzyCompare: fuzzy, tests: tests)
    }

    private static func decodeGroup(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> TestGroup {
        var m = try MappingReader(v, what: "testGroup", ctx)
        let interval = try m.duration("interval", ctx)?.milliseconds ?? 60_000
        var inputs: [(labels: Labels, points: [SeriesValues.Point])] = []
        for s in try m.sequence("input_series", ctx) ?? [] {
            var sm = try MappingReader(s, what: "series", ctx)
            let series = try sm.string("series", ctx) ?? ""
            let values = try sm.string("values", ctx) ?? ""
            try sm.finish(&ctx)
            do {
                inputs.append((try TestScript.parseSeries(series), try SeriesValues.parse(values)))
            } catch {
                throw ctx.error(s, "\(error)")
            }
        }
        var alertTests: [AlertTest] = []
        for a in try m.sequence("alert_rule_test", ctx) ?? [] {
            var am = try MappingReader(a, what: "alertTestCase", ctx)
            let evalTime = try am.duration("eval_time", ctx)?.milliseconds ?? 0
            let alertname = try am.string("alertname", ctx) ?? ""
            var expected: [(labels: Labels, annotations: [String: String])] = []
            for e in try am.sequence("exp_alerts", ctx) ?? [] {
                var em = try MappingReader(e, what: "alert", ctx)
                var labels = (try em.stringMap("exp_labels", ctx) ?? []).map { Label($0.0, $0.1) }
                labels.append(Label("alertname", alertname))
                let annotations = Dictionary(try em.stringMap("exp_annotations", ctx) ?? [], uniquingKeysWith: { _, last in last })
                try em.finish(&ctx)
                expected.append((Labels(labels), annotations))
            }
            try am.finish(&ctx)
            alertTests.append(AlertTest(evalTime: evalTime, alertname: alertname, expected: expected, line: a.line))
        }
        var exprTests: [ExprTest] = []
        for e in try m.sequence("promql_expr_test", ctx) ?? [] {
            var em = try MappingReader(e, what: "promqlTestCase", ctx)
            let expr = try em.string("expr", ctx) ?? ""
            let evalTime = try em.duration("eval_time", ctx)?.milliseconds ?? 0
            var expected: [(labels: Labels, value: Double)] = []
            for s in try em.sequence("exp_samples", ctx) ?? [] {
                var sm = try MappingReader(s, what: "sample", ctx)
                let text = try sm.string("labels", ctx) ?? "{}"
                guard let valueNode = sm.take("value"), case .scalar(let valueText, _) = valueNode.kind, let value = Double(valueText) ?? SeriesValues.number(valueText) else {
                    throw ctx.error(s, "sample: expected a numeric value")
                }
                _ = sm.take("histogram")
                try sm.finish(&ctx)
                do { expected.append((try TestScript.parseSeries(text), value)) } catch { throw ctx.error(s, "\(error)") }
            }
            try em.finish(&ctx)
            exprTests.append(ExprTest(expr: expr, evalTime: evalTime, expected: expected, line: e.line))
        }
        let externalLabels = Dictionary(try m.stringMap("external_labels", ctx) ?? [], uniquingKeysWith: { _, last in last })
        let externalURL = try m.string("external_url", ctx) ?? ""
        let name = try m.string("name", ctx) ?? ""
        try m.finish(&ctx)
        return TestGroup(name: name, interval: interval, inputSeries: inputs, alertTests: alertTests, exprTests: exprTests,
                         externalLabels: externalLabels, externalURL: externalURL)
    }
}
