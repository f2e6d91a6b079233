import MetricModel
import TSDB

/// The newest sample of each federated series, and their text exposition.
struct FederatedSamples {
    /// A series' newest sample: a number or a native histogram.
    enum Value {
        case float(Double)
        case histogram(HistogramValue)
    }

    var series: [(labels: Labels, t: Int64, value: Value)] = []

    /// The newest sample of every series the selectors match, stale ones left out; native
    /// histograms only when `histograms` (the reader's format carries them).
    static func collect(_ querier: any Querier, selectors: [[LabelMatcher]], at now: Int64, lookback: Int64,
                        externalLabels: Labels, histograms: Bool = false) -> FederatedSamples {
        var seen = Set<Labels>()
        var out = FederatedSamples()
        let (start, overflow) = now.subtractingReportingOverflow(max(lookback, 0))
        let mint = overflow ? .min : start
        var times: [Int64] = [], values: [Double] = []
        for matchers in selectors {
            for s in querier.select(matchers, mint: mint, maxt: now, sorted: false) where seen.insert(s.labels).inserted {
                times.removeAll(keepingCapacity: true)
                values.removeAll(keepingCapacity: true)
                s.appendSamples(mint: mint, maxt: now, times: &times, values: &values)
                var newest: (t: Int64, value: Value)?
                if let t = times.last, let v = values.last { newest = (t, .float(v)) }
                if histograms, s.hasHistograms, let h = Self.newestHistogram(s, mint: mint, maxt: now), h.t > newest?.t ?? .min {
                    newest = (h.t, .histogram(h.value))
                }
                guard let newest else { continue }
                switch newest.value {
                case .float(let v) where StaleNaN.isStale(v): continue
                case .histogram(let h) where h.isStale: continue
                default: out.series.append((s.labels.addingAbsent(externalLabels), newest.t, newest.value))
                }
            }
        }
        out.series.sort { a, b in
            let (na, nb) = (a.labels["__name__"], b.labels["__name__"])
            return na != nb ? na < nb : a.labels < b.labels
        }
        return out
    }

    /// A series' newest native histogram sample of either kind.
    private static func newestHistogram(_ s: SeriesData, mint: Int64, maxt: Int64) -> (t: Int64, value: HistogramValue)? {
        let integer = s.histogramSamples(mint: mint, maxt: maxt).last.map { ($0.t, HistogramValue.integer($0.histogram)) }
        let float = s.floatHistogramSamples(mint: mint, maxt: maxt).last.map { ($0.t, HistogramValue.float($0.histogram)) }
        switch (integer, float) {
        case let (i?, f?): return i.0 >= f.0 ? i : f
        case let (i?, nil): return i
        case let (nil, f?): return f
        case (nil, nil): return nil
        }
    }

    /// The text format: a `# TYPE … untyped` line per metric name, then one line per series with
    /// its timestamp (native histograms, which it cannot carry, left out). With
    /// ``NameEscapingScheme/allowUTF8`` (text format 1.0.0) a name that is not a legacy name is
    /// quoted, the metric name then inside the braces (`{"my.metric","a.b"="1"}`); with the other
    /// schemes (text format 0.0.4) such names are escaped.
    func exposition(escaping: NameEscapingScheme = .underscores) -> [UInt8] {
        var out = ""
        var current: String?
        for (labels, t, value) in series {
            guard case .float(let v) = value else { continue }
            let raw = labels["__name__"]
            let quoted = escaping == .allowUTF8 && !LabelName.isValidLegacyMetric(raw)
            let name = quoted ? "\"" + Self.escape(raw) + "\"" : escaping.escape(metricName: raw)
            if raw != current {
                out += "# TYPE \(name) untyped\n"
                current = raw
            }
            var inside = labels.pairs.filter { $0.name != "__name__" }.map { pair -> String in
                let label = escaping == .allowUTF8 && !LabelName.isValidLegacy(pair.name)
                    ? "\"" + Self.escape(pair.name) + "\"" : escaping.escape(labelName: pair.name)
                return label + "=\"" + Self.escape(pair.value) + "\""
            }
            if quoted {
                inside.insert(name, at: 0)
            } else {
                out += name
            }
            if !inside.isEmpty { out += "{" + inside.joined(separator: ",") + "}" }
            out += " " + GoFloat.format(v) + " " + String(t) + "\n"
        }
        return Array(out.utf8)
    }

    /// A label value as the text format quotes it: backslash, double quote and newline escaped.
    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
