import Config

/// One service-discovery mechanism at work for one job: an `http_sd_configs`, `dns_sd_configs`
/// or `kubernetes_sd_configs` entry. The seam between discovery and the scrape manager, which
/// runs each provider in a task of its own and cancels it when the job changes.
package protocol TargetProvider: Sendable {
    /// The mechanism's name, for logs and `vigil_sd_*` metrics: `dns`, `http`, `kubernetes`.
    var mechanism: String { get }

    /// Runs until the task is cancelled, handing each new complete list of groups to `publish`.
    func run(publish: @escaping @Sendable ([TargetGroup]) -> Void) async
}
