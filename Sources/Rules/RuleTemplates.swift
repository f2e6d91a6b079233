import Foundation
import GoTemplate
import MetricModel
import PromQL
import TSDB

/// Expands an alerting rule's label and annotation templates for one sample, as Prometheus does:
/// `$labels`, `$value`, `$externalLabels` and `$externalURL` (also as `.Labels`, `.Value`, …),
/// Prometheus' template functions, and `query` through the rule engine's own querier.
public struct RuleTemplates: Sendable {
    /// Prepended to every template so the `$` variables exist.
    static let definitions = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

    public var externalLabels: [String: String]
    public var externalURL: String

    public init(externalLabels: [String: String] = [:], externalURL: String = "") {
        self.externalLabels = externalLabels
        self.externalURL = externalURL
    }

    /// The text of `template` for one sample; a broken template yields the error as text, as in
    /// Prometheus, and never stops the evaluation.
    func expand(_ template: String, ruleName: String, labels: Labels, value: Double, at t: Int64,
                engine: Engine, querier: any Querier) -> String {
        guard template.contains("{{") else { return template }
        let data: TemplateValue = .map([
            "Labels": .stringMap(Dictionary(labels.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })),
            "ExternalLabels": .stringMap(externalLabels),
            "ExternalURL": .string(externalURL),
            "Value": .float(value),
        ])
        let functions = PrometheusTemplateFunctions.functions(externalURL: externalURL) { query in
            switch try engine.instantQuery(query, at: t, querier: querier) {
            case .vector(let v):
                return v.map { el in
                    PrometheusTemplateFunctions.sample(labels: Dictionary(el.labels.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }), value: el.v)
                }
            case .scalar(_, let v): return [PrometheusTemplateFunctions.sample(labels: [:], value: v)]
            default: throw TemplateError("query \"\(query)\" does not return a vector or scalar")
            }
        }
        do {
            return try Template(Self.definitions + template, name: "__alert_" + ruleName).render(data, functions: functions)
        } catch {
            return "<error expanding template: \(error.message)>"
        }
    }
}
