import MetricModel

extension RuleFile {
    /// The file as plain Prometheus rule YAML, `anomaly` rules written out as the recording and
    /// alerting rules they compile to (`vigil check rules --expand`).
    public var expandedYAML: String {
        var out = "groups:\n"
        for g in groups {
            out += "  - name: \(JSONString.quote(g.name))\n"
            if let interval = g.interval { out += "    interval: \(interval)\n" }
            if let offset = g.queryOffset { out += "    query_offset: \(offset)\n" }
            if g.limit > 0 { out += "    limit: \(g.limit)\n" }
            if !g.labels.isEmpty { out += "    labels:\n" + Self.pairs(g.labels, indent: 6) }
            out += "    rules:\n"
            for r in g.rules {
                switch r.kind {
                case .recording(let metric): out += "      - record: \(metric)\n"
                case .alerting(let name): out += "      - alert: \(JSONString.quote(name))\n"
                }
                out += "        expr: \(JSONString.quote(r.expr.description))\n"
                if r.holdDuration.milliseconds > 0 { out += "        for: \(r.holdDuration)\n" }
                if r.keepFiringFor.milliseconds > 0 { out += "        keep_firing_for: \(r.keepFiringFor)\n" }
                if !r.labels.isEmpty { out += "        labels:\n" + Self.pairs(r.labels, indent: 10) }
                if !r.annotations.isEmpty { out += "        annotations:\n" + Self.pairs(r.annotations, indent: 10) }
            }
        }
        return out
    }

    private static func pairs(_ list: [(name: String, value: String)], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return list.map { pad + $0.name + ": " + JSONString.quote($0.value) + "\n" }.joined()
    }
}
