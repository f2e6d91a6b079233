import Crypto

/// Applies relabeling pipelines with Prometheus semantics.
public enum Relabeling {
    /// Runs `configs` in order over `labels`; nil means the series or target was dropped.
    public static func process(_ labels: Labels, _ configs: [RelabelConfig]) -> Labels? {
        if configs.isEmpty { return labels }
        var builder = LabelsBuilder(labels)
        for config in configs {
            if !apply(config, to: &builder) { return nil }
        }
        return builder.labels()
    }

    /// Applies one step; returns false when the step drops the label set.
    public static func apply(_ c: RelabelConfig, to lb: inout LabelsBuilder) -> Bool {
        let value = c.sourceLabels.map { lb[$0] }.joined(separator: c.separator)
        switch c.action {
        case .drop:
            if c.regex.matches(value) { return false }
        case .keep:
            if !c.regex.matches(value) { return false }
        case .dropequal:
            if lb[c.targetLabel] == value { return false }
        case .keepequal:
            if lb[c.targetLabel] != value { return false }
        case .replace:
            // The default `(.*)` with `$1` is common enough to skip the regex engine.
            if c.regex.pattern == "(.*)" && c.replacement == "$1" && !c.targetLabel.contains("$") {
                lb[c.targetLabel] = value
                break
            }
            guard let groups = c.regex.groups(value) else { break }
            let target = Regex2.expand(c.targetLabel, groups: groups)
            guard !target.isEmpty else { break }
            lb[target] = Regex2.expand(c.replacement, groups: groups)
        case .lowercase:
            lb[c.targetLabel] = value.lowercased()
        case .uppercase:
            lb[c.targetLabel] = value.uppercased()
        case .hashmod:
            lb[c.targetLabel] = String(hashmod(value, modulus: c.modulus))
        case .labelmap:
            for name in lb.names.sorted() {
                guard let groups = c.regex.groups(name) else { continue }
                let newName = Regex2.expand(c.replacement, groups: groups)
                if !newName.isEmpty { lb[newName] = lb[name] }
            }
        case .labeldrop:
            lb.removeAll { c.regex.matches($0) }
        case .labelkeep:
            lb.removeAll { !c.regex.matches($0) }
        }
        return true
    }

    /// The low 64 bits (big-endian) of the MD5 of `value`, modulo `modulus`: Prometheus' hashmod,
    /// so shards computed by Vigil and by Prometheus agree.
    public static func hashmod(_ value: String, modulus: UInt64) -> UInt64 {
        guard modulus > 0 else { return 0 }
        let digest = Array(Insecure.MD5.hash(data: Array(value.utf8)))
        var sum: UInt64 = 0
        for b in digest[8..<16] { sum = sum << 8 | UInt64(b) }
        return sum % modulus
    }
}
