import Alertmanager
import Foundation
import MetricModel
import PromQL

/// A JSON object from a request body, read field by field with the types checked.
package struct JSONObject {
    let fields: [String: Any]

    init(_ fields: [String: Any]) { self.fields = fields }

    package init?(data: Data) {
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        fields = obj
    }

    func string(_ key: String) -> String? { fields[key] as? String }
    func object(_ key: String) -> JSONObject? { (fields[key] as? [String: Any]).map(JSONObject.init) }
    func objects(_ key: String) -> [JSONObject]? { (fields[key] as? [Any])?.compactMap { ($0 as? [String: Any]).map(JSONObject.init) } }
    func number(_ key: String) -> Double? {
        if let n = fields[key] as? NSNumber, !(fields[key] is Bool) { return n.doubleValue }
        return (fields[key] as? String).flatMap(Double.init)
    }
    func bool(_ key: String) -> Bool? { fields[key] as? Bool }
    /// A string, or the strings of a list (multi-select payloads), or nothing.
    func strings(_ key: String) -> [String] {
        if let s = fields[key] as? String { return s.isEmpty ? [] : [s] }
        if let list = fields[key] as? [Any] { return list.compactMap { $0 as? String } }
        return []
    }
}

/// A bad request to the Grafana JSON datasource API, answered with 400 and this message.
package struct GrafanaRequestError: Error, CustomStringConvertible {
    package var description: String
    init(_ d: String) { description = d }
}

/// Turns a `/query` target into PromQL: either the target text itself (dashboard variables
/// substituted, ad-hoc filters added to every selector) or a metric name with the builder's payload
/// (`labels`, `function`, `aggregation`, `by`).
package struct GrafanaQueryTranslation {
    var fromMs: Int64
    var toMs: Int64
    var intervalMs: Int64
    /// Dashboard variables: name → selected values (several for multi-value variables).
    var variables: [String: [String]]
    /// Ad-hoc filters as matchers.
    var filters: [LabelMatcher]

    /// The scrape interval assumed for `$__rate_interval` (Vigil's default).
    static let scrapeIntervalMs: Int64 = 15_000

    /// Functions the query builder offers over a metric.
    static let builderFunctions = ["rate", "irate", "increase", "delta", "deriv", "avg_over_time", "max_over_time", "min_over_time", "sum_over_time"]
    static let builderAggregations = ["sum", "avg", "max", "min", "count", "group", "stddev"]

    package init(request: JSONObject) throws(GrafanaRequestError) {
        let range = request.object("range")
        guard let from = range?.string("from").flatMap(APIParameters.parseTime),
              let to = range?.string("to").flatMap(APIParameters.parseTime) else {
            throw GrafanaRequestError("range.from and range.to must be RFC 3339 times")
        }
        guard to >= from else { throw GrafanaRequestError("range.to must not be before range.from") }
        fromMs = from
        toMs = to
        let span = to - from
        let interval = request.number("intervalMs") ?? 0
        guard interval.isFinite, interval >= 0, interval <= Double(Milliseconds.limit) else {
            throw GrafanaRequestError("intervalMs must be a non-negative number of milliseconds")
        }
        var step = Int64(interval.rounded(.up))
        if let points = request.number("maxDataPoints"), points >= 1, points.isFinite {
            step = max(step, Int64((Double(span) / points).rounded(.up)))
        }
        // Never more points per series than the query API allows.
        step = max(step, (span + APIRoutes.maxPointsPerSeries - 1) / APIRoutes.maxPointsPerSeries, 1)
        intervalMs = step
        variables = [:]
        for (name, raw) in request.object("scopedVars")?.fields ?? [:] {
            guard let v = raw as? [String: Any] else { continue }
            let value = v["value"]
            if let s = value as? String { variables[name] = [s] } else if let list = value as? [Any] {
                variables[name] = list.compactMap { $0 as? String }
            } else if let n = value as? NSNumber {
                variables[name] = [n.stringValue]
            }
        }
        filters = []
        for f in (request.objects("adhocFilters") ?? []) + (request.objects("filters") ?? []) {
            guard let key = f.string("key"), !key.isEmpty, let value = f.string("value") else { continue }
            let kind: LabelMatcher.Kind
            switch f.string("operator") ?? "=" {
            case "=": kind = .equal
            case "!=": kind = .notEqual
            case "=~": kind = .regexMatch
            case "!~": kind = .regexNoMatch
            case let op: throw GrafanaRequestError("unsupported ad-hoc filter operator \(op)")
            }
            do { filters.append(try LabelMatcher(kind, key, value)) } catch {
                throw GrafanaRequestError("ad-hoc filter \(key): invalid regular expression: \(error)")
            }
        }
    }

    /// `$__interval`, `$__rate_interval`, `$__range` and the dashboard's variables, in text.
    func substitute(_ text: String) -> String {
        var vars = variables
        vars["__interval"] = [Self.duration(intervalMs)]
        vars["__interval_ms"] = ["\(intervalMs)"]
        vars["__rate_interval"] = [Self.duration(max(4 * Self.scrapeIntervalMs, intervalMs + Self.scrapeIntervalMs))]
        vars["__range"] = [Self.duration(max(1000, toMs - fromMs))]
        vars["__range_s"] = ["\((toMs - fromMs) / 1000)"]
        vars["__range_ms"] = ["\(toMs - fromMs)"]
        var out = text
        // Longest names first, so `$job_name` is not read as `$job` followed by `_name`.
        for name in vars.keys.sorted(by: { $0.count > $1.count }) {
            let values = vars[name] ?? []
            let replacement: String
            if values == ["$__all"] || values == ["__all"] { replacement = ".*" } else if values.count == 1 { replacement = values[0] } else {
                replacement = "(" + values.map(Self.escapeRegex).joined(separator: "|") + ")"
            }
            out = out.replacingOccurrences(of: "${\(name)}", with: replacement)
            out = out.replacingOccurrences(of: "[[\(name)]]", with: replacement)
            out = out.replacingOccurrences(of: "$\(name)", with: replacement)
        }
        return out
    }

    /// The PromQL expression for one target.
    func expression(target: String, payload: JSONObject?) throws(GrafanaRequestError) -> Expr {
        let text = substitute(target).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw GrafanaRequestError("empty target") }
        let query: String
        if let payload, Self.isMetricName(text), payload.fields.keys.contains(where: { ["labels", "function", "aggregation", "by"].contains($0) }) {
            query = try builderQuery(metric: text, payload)
        } else {
            query = text
        }
        let expr: Expr
        do { expr = try Parser.parse(query) } catch { throw GrafanaRequestError("\(error)") }
        guard !filters.isEmpty else { return expr }
        return expr.mappingSelectors { s in
            var s = s
            s.matchers += filters
            return s
        }
    }

    /// `aggregation by (by) (function(metric{labels}[$__rate_interval]))` from the builder's payload.
    func builderQuery(metric: String, _ p: JSONObject) throws(GrafanaRequestError) -> String {
        let labels = p.strings("labels").map(substitute)
        for l in labels {
            do { _ = try MatcherSyntax.parseList(l) } catch { throw GrafanaRequestError("payload labels: \(error)") }
        }
        var q = metric + (labels.isEmpty ? "" : "{" + labels.joined(separator: ",") + "}")
        if let f = p.string("function"), !f.isEmpty, f != "none" {
            guard Self.builderFunctions.contains(f) else { throw GrafanaRequestError("payload function must be one of \(Self.builderFunctions.joined(separator: ", "))") }
            q = "\(f)(\(q)[\(substitute("$__rate_interval"))])"
        }
        if let a = p.string("aggregation"), !a.isEmpty, a != "none" {
            guard Self.builderAggregations.contains(a) else { throw GrafanaRequestError("payload aggregation must be one of \(Self.builderAggregations.joined(separator: ", "))") }
            let by = p.strings("by")
            guard by.allSatisfy(Self.isMetricName) else { throw GrafanaRequestError("payload by: label names expected") }
            q = "\(a)" + (by.isEmpty ? "" : " by (\(by.joined(separator: ", ")))") + " (\(q))"
        }
        return q
    }

    static func isMetricName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0 == ":" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    static func escapeRegex(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\.+*?()|[]{}^$".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Milliseconds as a PromQL duration (`90s`, `1500ms`).
    static func duration(_ ms: Int64) -> String {
        ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }

    /// A series' name in a panel's legend: `legendFormat` with `{{label}}` filled in, or the labels.
    static func legend(_ labels: Labels, format: String?, fallback: String) -> String {
        if let format, !format.isEmpty, format != "__auto" {
            var out = format
            for p in labels.pairs { out = out.replacingOccurrences(of: "{{\(p.name)}}", with: p.value).replacingOccurrences(of: "{{ \(p.name) }}", with: p.value) }
            return out
        }
        if labels.isEmpty { return fallback }
        let name = labels["__name__"]
        let rest = labels.pairs.filter { $0.name != "__name__" }.map { "\($0.name)=\(GoQuotedString.quote($0.value))" }
        return name + (rest.isEmpty && !name.isEmpty ? "" : "{" + rest.joined(separator: ", ") + "}")
    }
}
