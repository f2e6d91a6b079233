import Config
import Logging

/// The running providers a scrape job's configuration asks for (static and file discovery are
/// read by the scrape manager itself).
package enum TargetProviders {
    package static func make(for config: ScrapeConfig, userAgent: String, logger: Logger, stats: DiscoveryStats?) -> [any TargetProvider] {
        var providers: [any TargetProvider] = []
        for c in config.httpSDConfigs { providers.append(HTTPSDProvider(config: c, userAgent: userAgent, logger: logger, stats: stats)) }
        for c in config.dnsSDConfigs { providers.append(DNSSDProvider(config: c, logger: logger, stats: stats)) }
        for c in config.kubernetesSDConfigs { providers.append(KubernetesSDProvider(config: c, logger: logger, stats: stats)) }
        return providers
    }
}
