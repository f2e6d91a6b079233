import MetricModel

/// How target labels combine with the labels a target exposes (Prometheus' `honor_labels`).
enum SampleLabels {
    /// With `honor`, exposed labels win. Otherwise target labels win and a clashing exposed label is
    /// kept as `exported_<name>` (prefixed again while that name is taken).
    static func merge(exposed: Labels, target: Labels, honor: Bool) -> Labels {
        var b = LabelsBuilder(exposed)
        if honor {
            for l in target.pairs where b[l.name].isEmpty { b[l.name] = l.value }
            return b.labels()
        }
        var conflicts: [Label] = []
        for l in target.pairs {
            let existing = b[l.name]
            if !existing.isEmpty { conflicts.append(Label(l.name, existing)) }
            b[l.name] = l.value
        }
        for c in conflicts {
            var name = "exported_" + c.name
            while !b[name].isEmpty { name = "exported_" + name }
            b[name] = c.value
        }
        return b.labels()
    }
}
