import Foundation
import MetricModel
import PromQL
import TSDB

/// Template-variable queries as Grafana users write them for Prometheus: `label_values(label)`,
/// `label_values(selector, label)`, `label_names()`, `metrics(regex)` and `query_result(expr)`.
enum GrafanaVariableQuery {
    static func values(_ query: String, at t: Int64, db: any Querier, engine: Engine) throws(GrafanaRequestError) -> [String] {
        let q = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let open = q.firstIndex(of: "("), q.hasSuffix(")") else {
            throw GrafanaRequestError("unsupported variable query \(GoQuotedString.quote(q)): use label_values(…), label_names(…), metrics(…) or query_result(…)")
        }
        let function = q[..<open].trimmingCharacters(in: .whitespaces)
        let argument = String(q[q.index(after: open)..<q.index(before: q.endIndex)]).trimmingCharacters(in: .whitespaces)
        switch function {
        case "label_values":
            // The label is after the last comma outside braces and quotes.
            let (selector, label) = splitLast(argument)
            guard GrafanaQueryTranslation.isMetricName(label) else { throw GrafanaRequestError("label_values: \(GoQuotedString.quote(label)) is not a label name") }
            let matchers = try selectorMatchers(selector)
            return db.labelValues(label, matchers).sorted()
        case "label_names":
            return db.labelNames(try selectorMatchers(argument)).filter { $0 != LabelName.metricName }.sorted()
        case "metrics":
            let names = db.labelValues(LabelName.metricName, [])
            guard !argument.isEmpty else { return names.sorted() }
            let re: Regex2
            do { re = try Regex2(argument) } catch { throw GrafanaRequestError("metrics: invalid regular expression: \(error)") }
            return names.filter { re.firstMatch(in: $0) != nil }.sorted()
        case "query_result":
            let value: Value
            do { value = try engine.instantQuery(argument, at: t, querier: db) } catch { throw GrafanaRequestError("query_result: \(error.message)") }
            switch value {
            case .vector(let v): return v.filter { $0.histogram == nil }.map { "\(GrafanaQueryTranslation.legend($0.labels, format: nil, fallback: "")) \(GoFloat.format($0.v)) \($0.t)" }
            case .scalar(let t, let v): return ["\(GoFloat.format(v)) \(t)"]
            case .string(_, let s): return [s]
            case .matrix: throw GrafanaRequestError("query_result: the expression must be an instant vector or a scalar")
            }
        default:
            throw GrafanaRequestError("unsupported variable query function \(function)")
        }
    }

    /// `up{job="a,b"}, instance` → (`up{job="a,b"}`, `instance`); a lone argument is the label.
    static func splitLast(_ s: String) -> (String, String) {
        var depth = 0, quoted = false, lastComma: String.Index?
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "\"" { quoted.toggle() } else if !quoted {
                if c == "{" || c == "(" { depth += 1 } else if c == "}" || c == ")" { depth -= 1 } else if c == ",", depth == 0 { lastComma = i }
            }
            i = s.index(after: i)
        }
        guard let comma = lastComma else { return ("", s.trimmingCharacters(in: .whitespaces)) }
        return (String(s[..<comma]).trimmingCharacters(in: .whitespaces), String(s[s.index(after: comma)...]).trimmingCharacters(in: .whitespaces))
    }

    static func selectorMatchers(_ text: String) throws(GrafanaRequestError) -> [LabelMatcher] {
        guard !text.isEmpty else { return [] }
        do { return try Parser.parseSelector(text).matchers } catch { throw GrafanaRequestError("\(error)") }
    }
}
