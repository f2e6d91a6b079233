import MetricModel

/// Applies the inhibit rules: an alert is muted while a firing alert matching a rule's source
/// matchers has the same values for the rule's `equal` labels (a label missing on both counts
/// as equal). An alert never inhibits itself, and when the target also matches the source
/// matchers, sources that match the target matchers are passed over, as in Alertmanager.
public struct Inhibitor: Sendable {
    public var rules: [InhibitRule]

    public init(rules: [InhibitRule]) { self.rules = rules }

    /// Fingerprints of the firing alerts among `alerts` that inhibit `target`.
    public func inhibitors(of target: ManagedAlert, among alerts: [ManagedAlert], now: Int64) -> [AlertFingerprint] {
        inhibitions(of: [target], among: alerts, now: now)[target.fingerprint] ?? []
    }

    /// Inhibitions for many targets against one set of alerts: sources are indexed per rule once.
    public func inhibitions(of targets: [ManagedAlert], among alerts: [ManagedAlert], now: Int64) -> [AlertFingerprint: [AlertFingerprint]] {
        guard !rules.isEmpty else { return [:] }
        let sourcesPerRule = rules.map { rule in alerts.filter { !$0.isResolved(at: now) && $0.labels.matches(rule.sourceMatchers) } }
        var out: [AlertFingerprint: [AlertFingerprint]] = [:]
        for target in targets {
            var found: [AlertFingerprint] = []
            for (i, rule) in rules.enumerated() where target.labels.matches(rule.targetMatchers) {
                let twoSided = target.labels.matches(rule.sourceMatchers)
                for source in sourcesPerRule[i] where source.fingerprint != target.fingerprint {
                    if twoSided, source.labels.matches(rule.targetMatchers) { continue }
                    if rule.equal.allSatisfy({ source.labels[$0] == target.labels[$0] }) { found.append(source.fingerprint) }
                }
            }
            if !found.isEmpty { out[target.fingerprint] = found }
        }
        return out
    }
}
