import Discovery
import Prometheus

extension VigilMetrics {
    /// Discovery refreshes and failures per mechanism, as `prometheus_sd_refresh_*` report them.
    func observe(discovery stats: DiscoveryStats) {
        for (mechanism, counts) in stats.snapshot {
            let labels = [("mechanism", mechanism)]
            gauge("vigil_sd_refreshes_total", "Discovery refreshes, per mechanism.", labels).set(to: Double(counts.refreshes))
            gauge("vigil_sd_refresh_failures_total", "Discovery refreshes that failed, per mechanism.", labels).set(to: Double(counts.failures))
        }
    }
}
