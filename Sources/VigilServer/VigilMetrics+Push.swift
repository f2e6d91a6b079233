import Prometheus
import Push

extension VigilMetrics {
    /// The push API's groups, series and the pushes it answered.
    func observe(push gateway: PushGateway) {
        let stats = gateway.statistics
        gauge("vigil_push_groups", "Pushed groups held by the push API.", []).set(to: Double(stats.groups))
        gauge("vigil_push_series", "Pushed series held by the push API (without push_time_seconds and push_failure_time_seconds).", []).set(to: Double(stats.series))
        gauge("vigil_push_requests_total", "Pushes (PUT and POST) the push API answered, by outcome.", [("outcome", "accepted")]).set(to: Double(stats.requests.accepted))
        gauge("vigil_push_requests_total", "Pushes (PUT and POST) the push API answered, by outcome.", [("outcome", "refused")]).set(to: Double(stats.requests.refused))
    }
}
