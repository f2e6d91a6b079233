import Alertmanager
import Config
import ConfigSupport
import Foundation
import Logging
import MetricModel

/// Loads `prometheus.yml`, falling back to the embedded self-scraping default when the default
/// path does not exist, and logs each warning once.
struct ConfigLoader: Sendable {
    let options: ServerOptions
    let logger: Logger

    func load() throws(ConfigError) -> PrometheusConfig {
        let config: PrometheusConfig
        if options.configFileIsDefault && !FileManager.default.fileExists(atPath: options.configFile) {
            logger.info("no config file at the default path; scraping Vigil itself", metadata: ["path": "\(options.configFile)"])
            config = try PrometheusConfig.parse(PrometheusConfig.selfScraping(listenAddress: options.listenAddress), file: "<embedded default>",
                                                nativeHistogramsByDefault: options.nativeHistogramsByDefault)
        } else {
            config = try PrometheusConfig.load(file: options.configFile, nativeHistogramsByDefault: options.nativeHistogramsByDefault)
        }
        for w in config.warnings { logger.warning("\(w.message)", metadata: ["file": "\(w.file)", "line": "\(w.line)"]) }
        if options.agentMode {
            // As a Prometheus agent refuses them: an agent evaluates nothing and alerts nobody.
            if !config.ruleFiles.isEmpty {
                throw ConfigError(file: config.file, line: 0, message: "field rule_files is not allowed in agent mode")
            }
            if !config.alerting.alertmanagers.isEmpty {
                throw ConfigError(file: config.file, line: 0, message: "field alerting.alertmanagers is not allowed in agent mode")
            }
        }
        return config
    }

    /// Loads `alertmanager.yml`, or the embedded default when the default path does not exist.
    func loadAlertmanager() throws(ConfigError) -> AlertmanagerConfiguration {
        if options.alertmanagerConfigFileIsDefault && !FileManager.default.fileExists(atPath: options.alertmanagerConfigFile) {
            logger.info("no Alertmanager config file at the default path; alerts are kept but nobody is notified",
                        metadata: ["path": "\(options.alertmanagerConfigFile)"])
            return try AlertmanagerConfiguration.parse(AlertmanagerConfiguration.embeddedDefaultText, file: "<embedded default>")
        }
        return try AlertmanagerConfiguration.load(file: options.alertmanagerConfigFile)
    }
}
