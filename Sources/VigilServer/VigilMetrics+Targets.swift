import Prometheus
import Scrape
import Synchronization

extension VigilMetrics {
    /// Per target (`job`, `instance`): 1 when its counters go down far more often than restarts
    /// explain (several worker processes answering scrapes, see `CounterResetWatch`), else 0.
    /// A target that goes away takes its series with it.
    func observe(targets: TargetsSnapshot) {
        var present = Set<TargetKey>()
        for a in targets.active {
            let key = TargetKey(job: a.scrapePool, instance: a.target.labels["instance"])
            present.insert(key)
            let gauge = targetGauges.withLock { gauges in
                if let g = gauges[key] { return g }
                let g = registry.makeGauge(descriptor: Self.descriptor(
                    "vigil_target_counter_resets_suspicious",
                    "1 when the target's counters went down in at least 4 of its last 20 scrapes: several worker processes without PROMETHEUS_MULTIPROC_DIR, or a crash loop."),
                    labels: [("job", key.job), ("instance", key.instance)])
                gauges[key] = g
                return g
            }
            gauge.set(to: a.health.counterResets.isSuspicious ? 1 : 0)
        }
        let gone = targetGauges.withLock { gauges in
            let keys = gauges.keys.filter { !present.contains($0) }
            return keys.compactMap { gauges.removeValue(forKey: $0) }
        }
        for g in gone { registry.unregisterGauge(g) }
    }

    /// A target as its per-target series name it.
    struct TargetKey: Hashable, Sendable {
        var job: String
        var instance: String
    }
}
