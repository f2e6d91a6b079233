import ConfigSupport
import Foundation
import MetricModel
import PromQL

/// Vigil's `anomaly` rule kind: a series compared with its own recent past.
///
/// ```yaml
/// - anomaly: PredictionRateAnomaly
///   expr: sum by (species) (rate(python_iris_predictions_total[5m]))
///   baseline: 1h      # the window the mean and standard deviation cover
///   sigma: 3          # how many standard deviations count as anomalous
///   min_value: 0.1    # quiet baselines (mean below this) never alert
///   for: 5m
/// ```
///
/// It compiles into the rules a careful engineer would write by hand, so the result can be
/// exported to a plain Prometheus (`vigil check rules --expand`): three recording rules (the
/// value, its mean and its standard deviation over the baseline) and one alerting rule on the
/// z-score, whose `$value` is the z-score.
enum AnomalyRule {
    static func compile(_ v: YAMLValue, _ ctx: DecodeContext) throws(ConfigError) -> [RuleDefinition] {
        var m = try MappingReader(v, what: "anomaly rule", ctx)
        guard let name = try m.string("anomaly", ctx), !name.isEmpty else { throw ctx.error(v, "anomaly rule: a name must be set") }
        guard let exprText = try m.string("expr", ctx), !exprText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ctx.error(v, "anomaly rule \"\(name)\": field 'expr' must be set")
        }
        guard let baseline = try m.duration("baseline", ctx), baseline.milliseconds > 0 else {
            throw ctx.error(v, "anomaly rule \"\(name)\": field 'baseline' must be a positive duration")
        }
        let sigma = try number(&m, "sigma", ctx) ?? 3
        guard sigma > 0 else { throw ctx.error(v, "anomaly rule \"\(name)\": sigma must be positive") }
        let minValue = try number(&m, "min_value", ctx) ?? 0
        let holdDuration = try m.duration("for", ctx) ?? PromDuration(milliseconds: 0)
        let keepFiringFor = try m.duration("keep_firing_for", ctx) ?? PromDuration(milliseconds: 0)
        let labels = try m.stringMap("labels", ctx) ?? []
        var annotations = try m.stringMap("annotations", ctx) ?? []
        var scratch = ctx
        try m.finish(&scratch)

        let base = "anomaly:\(name.filter { $0.isLetter || $0.isNumber || $0 == "_" })"
        guard LabelName.isValidLegacyMetric(base + ":value") else { throw ctx.error(v, "anomaly rule \"\(name)\": the name must be letters, digits or _") }
        let valueMetric = base + ":value", meanMetric = base + ":mean", stddevMetric = base + ":stddev"
        let window = PromDuration(milliseconds: baseline.milliseconds).description
        if annotations.isEmpty {
            annotations = [
                ("summary", "\(name): {{ $labels }} is {{ printf \"%.1f\" $value }} standard deviations from its \(window) baseline"),
                ("description", "The value moved more than \(GoFloat.format(sigma)) standard deviations away from its mean over the last \(window)."),
            ]
        }
        func rule(_ kind: RuleDefinition.Kind, _ text: String, hold: PromDuration = PromDuration(milliseconds: 0),
                  keep: PromDuration = PromDuration(milliseconds: 0),
                  labels: [(String, String)] = [], annotations: [(String, String)] = []) throws(ConfigError) -> RuleDefinition {
            let expr: Expr
            do { expr = try Parser.parse(text) } catch {
                throw ctx.error(v, "anomaly rule \"\(name)\": could not parse expression: \(error)")
            }
            var d = RuleDefinition(kind: kind, expr: expr, exprText: text, holdDuration: hold, keepFiringFor: keep,
                                   labels: labels.map { (name: $0.0, value: $0.1) }, annotations: annotations.map { (name: $0.0, value: $0.1) }, line: v.line)
            d.generatedBy = name
            return d
        }
        let guardClause = minValue > 0 ? " and \(meanMetric) >= \(GoFloat.format(minValue))" : ""
        return [
            try rule(.recording(metric: valueMetric), exprText),
            try rule(.recording(metric: meanMetric), "avg_over_time(\(valueMetric)[\(window)])"),
            try rule(.recording(metric: stddevMetric), "stddev_over_time(\(valueMetric)[\(window)])"),
            try rule(.alerting(name: name),
                     "abs((\(valueMetric) - \(meanMetric)) / \(stddevMetric)) > \(GoFloat.format(sigma))" + guardClause,
                     hold: holdDuration, keep: keepFiringFor, labels: labels, annotations: annotations),
        ]
    }

    private static func number(_ m: inout MappingReader, _ key: String, _ ctx: DecodeContext) throws(ConfigError) -> Double? {
        guard let v = m.take(key) else { return nil }
        guard case .scalar(let s, _) = v.kind, let d = Double(s), d.isFinite else { throw ctx.error(v, "field \(key): expected a number") }
        return d
    }
}
