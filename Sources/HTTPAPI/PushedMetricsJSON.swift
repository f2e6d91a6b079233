import Exposition
import Foundation
import MetricModel
import Push

/// The Pushgateway's `GET /api/v1/metrics` answer: every group with its grouping-key labels,
/// whether its last push succeeded, and each family (the two push-time gauges included) with
/// its push time, type in capitals, HELP and metrics. Histograms list cumulative `buckets` by
/// bound with `count` and `sum`; summaries `quantiles` with `count` and `sum`; other types one
/// `value`. Values are written as Go's `%g` writes them, as the Pushgateway does. A metric's
/// labels are those pushed with the grouping key's over them, empty values and an empty
/// `instance` included, as the Pushgateway lists them.
enum PushedMetricsJSON {
    static func render(_ groups: [PushedGroup]) -> String {
        var items: [String] = []
        for group in groups {
            let pushed = APITime.format(Date(timeIntervalSince1970: Double(group.lastPushMs ?? 0) / 1000))
            var fields: [(String, String)] = [
                ("labels", labelsObject(Dictionary(group.key.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }))),
                ("last_push_successful", (group.lastFailureMs ?? .min) <= (group.lastPushMs ?? .min) ? "true" : "false"),
            ]
            for series in group.timeSeries {
                let help = series.labels.metricName == PushedGroup.pushTimeName ? PushedGroup.pushTimeHelp : PushedGroup.failureTimeHelp
                let metric = "{\"labels\":" + labelsObject(listed(series.labels, group.key)) + ",\"value\":" + JSONString.quote(GoFloat.general(series.value)) + "}"
                fields.append((series.labels.metricName, family(pushed, "GAUGE", help, [metric])))
            }
            for f in group.families {
                fields.append((f.name, family(pushed, typeName(f.type), f.help, metrics(of: f, key: group.key))))
            }
            fields.sort { $0.0 < $1.0 }
            items.append("{" + fields.map { JSONString.quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}")
        }
        return "{\"status\":\"success\",\"data\":[" + items.joined(separator: ",") + "]}"
    }

    private static func family(_ time: String, _ type: String, _ help: String?, _ metrics: [String]) -> String {
        var out = "{\"time_stamp\":" + JSONString.quote(time) + ",\"type\":" + JSONString.quote(type)
        if let help, !help.isEmpty { out += ",\"help\":" + JSONString.quote(help) }
        return out + ",\"metrics\":[" + metrics.joined(separator: ",") + "]}"
    }

    /// One entry per label set of the family: a histogram's or summary's series gathered by
    /// their labels without `le` or `quantile`, in the order first pushed.
    private static func metrics(of f: ExpositionFamily, key: GroupingKey) -> [String] {
        guard f.type == .histogram || f.type == .summary || f.type == .gaugehistogram else {
            return f.samples.map { s in
                "{\"labels\":" + labelsObject(listed(s.labels, key)) + ",\"value\":" + JSONString.quote(GoFloat.general(s.value)) + "}"
            }
        }
        let histogram = f.type != .summary
        var order: [[String: String]] = []
        var parts: [[String: String]: (points: [(String, Double)], count: Double?, sum: Double?, native: FloatHistogram?)] = [:]
        for s in f.samples {
            let name = s.labels.metricName
            let bound = histogram ? s.labels["le"] : s.labels["quantile"]
            var labels = listed(s.labels, key)
            labels[histogram ? "le" : "quantile"] = nil
            if s.isImpliedBucket { continue }
            if parts[labels] == nil { order.append(labels); parts[labels] = ([], nil, nil, nil) }
            if let h = s.histogram?.floatHistogram {
                parts[labels]?.native = h
                parts[labels]?.count = h.count
                parts[labels]?.sum = h.sum
            } else if name == f.name + "_count" {
                parts[labels]?.count = s.value
            } else if name == f.name + "_sum" {
                parts[labels]?.sum = s.value
            } else if !bound.isEmpty {
                parts[labels]?.points.append((bound, s.value))
            }
        }
        return order.map { labels in
            let p = parts[labels] ?? ([], nil, nil, nil)
            var out: String
            if let native = p.native {
                // A native histogram's populated buckets as the Pushgateway lists them (and as the
                // query API does): [boundary rule, "lower", "upper", "count"]; no classic buckets.
                out = "{\"buckets\":[" + native.populatedBuckets.map { b in
                    "[\(b.boundaryRule)," + [b.lower, b.upper, b.count].map { JSONString.quote(GoFloat.general($0)) }.joined(separator: ",") + "]"
                }.joined(separator: ",") + "]"
            } else {
                let points = p.points.map { JSONString.quote(GoFloat.general(Double($0.0) ?? .nan)) + ":" + JSONString.quote(GoFloat.general($0.1)) }
                out = "{" + JSONString.quote(histogram ? "buckets" : "quantiles") + ":{" + points.joined(separator: ",") + "}"
            }
            out += ",\"count\":" + JSONString.quote(GoFloat.general(p.count ?? 0))
            out += ",\"labels\":" + labelsObject(labels)
            out += ",\"sum\":" + JSONString.quote(GoFloat.general(p.sum ?? 0))
            return out + "}"
        }
    }

    /// A metric's labels as listed: pushed, the grouping key's pairs over them (empty ones too),
    /// `instance` empty when nothing set it; no `__name__`.
    private static func listed(_ labels: Labels, _ key: GroupingKey) -> [String: String] {
        var out: [String: String] = [:]
        for pair in labels.pairs where pair.name != LabelName.metricName { out[pair.name] = pair.value }
        for pair in key.pairs { out[pair.name] = pair.value }
        if out[LabelName.instance] == nil { out[LabelName.instance] = "" }
        return out
    }

    private static func labelsObject(_ labels: [String: String]) -> String {
        "{" + labels.sorted { $0.key < $1.key }.map { JSONString.quote($0.key) + ":" + JSONString.quote($0.value) }.joined(separator: ",") + "}"
    }

    private static func typeName(_ type: MetricType) -> String {
        switch type {
        case .counter: "COUNTER"
        case .gauge: "GAUGE"
        case .histogram: "HISTOGRAM"
        case .gaugehistogram: "GAUGE_HISTOGRAM"
        case .summary: "SUMMARY"
        default: "UNTYPED"
        }
    }
}
