import ArgumentParser
import ConfigSupport
import Foundation
import Logging
import MetricModel
import Scrape
import TSDB
import VigilServer

/// `vigil`: the command line. With no subcommand it runs the server.
struct VigilCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Prometheus and Alertmanager in one process.",
        version: versionText,
        subcommands: [ServerCommand.self, CheckCommand.self, TSDBCommand.self, TestCommand.self, NotifyCommand.self, TemplateCommand.self, HashPasswordCommand.self],
        defaultSubcommand: ServerCommand.self
    )

    static var versionText: String {
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        #if os(Linux)
        let os = "linux"
        #else
        let os = "darwin"
        #endif
        return """
        vigil, version \(VigilVersion.version) (branch: unknown, revision: unknown)
          build user:       unknown
          build date:       unknown
          swift version:    6
          platform:         \(os)/\(arch)
        """
    }
}

/// `vigil server`: scrape, store and serve.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "server", abstract: "Run the Vigil server (the default).")

    @Option(name: .customLong("config.file"), help: "Prometheus configuration file path.")
    var configFile: String?

    @Option(name: .customLong("storage.tsdb.path"), help: "Base path for metrics storage.")
    var storagePath = "data/"

    @Option(name: .customLong("storage.tsdb.retention.time"), help: "How long to retain samples (0 keeps them until the size limit).")
    var retentionTimeFlag: String?

    /// `--storage.tsdb.retention.time`, else the deprecated `--storage.tsdb.retention`, else 15d.
    var retentionTime: String { retentionTimeFlag ?? prometheusImage.retention ?? "15d" }

    @Option(name: .customLong("storage.tsdb.retention.size"), help: "Maximum bytes of storage, e.g. 512MB (0 disables).")
    var retentionSize = "0"

    @Option(name: .customLong("storage.tsdb.wal-fsync"), help: "When the WAL is fsynced: always, never, or an interval such as 10s. Every commit reaches the kernel before it is acknowledged either way.")
    var walFsync = "10s"

    @Flag(name: .customLong("storage.tsdb.wal-compression"), inversion: .prefixedNo,
          help: "Compress WAL records with Snappy, as Prometheus does by default (older Vigil versions cannot read a compressed WAL).")
    var walCompression = true

    @Option(name: .customLong("storage.tsdb.wal-segment-size"), help: "Size at which a WAL segment file is cut, e.g. 128MB (at least 64KB).")
    var walSegmentSize = "128MB"

    @Option(name: .customLong("storage.tsdb.min-block-duration"), help: "Time range of a block cut from the head (as Prometheus; the head is cut once it spans 1.5 times this).")
    var minBlockDuration = "2h"

    @Option(name: .customLong("storage.tsdb.max-block-duration"), help: "Largest block compaction makes (default: a tenth of the retention time, at most 31d).")
    var maxBlockDuration: String?

    @Option(name: .customLong("storage.tsdb.retention.rules"), help: ArgumentHelp(
        "A shorter retention for the series a selector picks, as 'SELECTOR DURATION' (repeatable), e.g. '{__name__=~\"python_gc_.*\"} 2d'.",
        valueName: "rule"))
    var retentionRules: [String] = []

    @Option(name: .customLong("storage.tsdb.maintenance-interval"), help: "How often retention runs and snapshots are considered (Vigil-specific).")
    var maintenanceInterval = "1m"

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on for the web interface and API.")
    var listenAddress = "0.0.0.0:9090"

    @Flag(name: .customLong("web.enable-lifecycle"), help: "Enable shutdown and reload via HTTP request.")
    var enableLifecycle = false

    @Flag(name: .customLong("web.enable-admin-api"), help: "Enable the admin API (/api/v1/admin/tsdb/snapshot).")
    var enableAdminAPI = false

    @Flag(name: .customLong("web.enable-remote-write-receiver"), help: "Enable the remote-write receiver at /api/v1/write.")
    var enableRemoteWriteReceiver = false
    @Flag(name: .customLong("web.enable-otlp-receiver"), help: "Enable the OTLP/HTTP metrics receiver at /api/v1/otlp/v1/metrics.")
    var enableOTLPReceiver = false

    @Flag(name: .customLong("web.enable-push-api"), help: "Enable the Pushgateway-compatible push API at /metrics/job/<job>{/<label>/<value>} for batch and training jobs.")
    var enablePushAPI = false

    @Option(name: .customLong("push.expire-after"), help: "Delete pushed groups that no push has changed for this long (0s: keep them until deleted, as the Pushgateway does).")
    var pushExpireAfter = "0s"

    @Option(name: .customLong("push.listen-address"), help: "A second address (such as :9091) that serves the same endpoints, for jobs that push to a Pushgateway's port.")
    var pushListenAddress: String?

    @Option(name: .customLong("web.external-url"), help: "The URL under which Vigil is reachable from outside.")
    var externalURL = ""

    @Option(name: .customLong("web.dashboards-dir"), help: "Folder of Grafana dashboard JSON files the web UI draws.")
    var dashboardsDirectory = "dashboards"

    @Option(name: .customLong("alertmanager.notification-queue-capacity"), help: "How many alerts may wait for sending to Alertmanagers; the oldest are dropped beyond.")
    var notificationQueueCapacity = 10_000

    @Option(name: .customLong("rules.alert.for-outage-tolerance"), help: "Longest restart gap after which alerts still resume their 'for' clock.")
    var forOutageTolerance = "1h"

    @Option(name: .customLong("rules.alert.for-grace-period"), help: "Least time a resumed pending alert waits before firing (rules with a shorter 'for' start over).")
    var forGracePeriod = "10m"

    @Option(name: .customLong("rules.alert.resend-delay"), help: "How often firing alerts are sent to Alertmanagers again.")
    var resendDelay = "1m"

    @Option(name: .customLong("alertmanager.config.file"), help: "Alertmanager configuration (alertmanager.yml) for Vigil's own Alertmanager; without the default file, alerts are kept and shown but nobody is notified.")
    var alertmanagerConfigFile: String?

    @Option(name: .customLong("config.auto-reload-interval"), help: "How often the configuration, rule and Alertmanager files are checked for changed content, which reloads them (0s: never).")
    var configAutoReloadInterval = "30s"

    @Option(name: .customLong("alertmanager.listen-address"), help: "A second address (such as :9093) that serves the same endpoints, for stacks that reach the Alertmanager at its own port.")
    var alertmanagerListenAddress: String?

    @Flag(name: .customLong("agent"), help: "Agent mode: scrape, keep a WAL and remote-write only (no local queries, rules or Alertmanager).")
    var agent = false

    @Option(name: .customLong("storage.agent.path"), help: "Base path for the agent's WAL (with --agent).")
    var agentStoragePath = "data-agent/"

    @Option(name: .customLong("storage.agent.retention.max-time"), help: "With --agent: how much recent data the agent keeps in memory (the WAL is kept until it is sent).")
    var agentRetention = "1h"

    @Flag(name: .customLong("alertmanager.disable"), help: "Do not run Vigil's own Alertmanager (API v2 answers 503; alerts go only to configured Alertmanagers).")
    var alertmanagerDisabled = false

    @Option(name: .customLong("query.timeout"), help: "Maximum time a query may take before it is aborted.")
    var queryTimeout = "2m"

    @Option(name: .customLong("query.max-samples"), help: "Maximum number of samples a single query may load into memory.")
    var queryMaxSamples = 50_000_000

    @Option(name: .customLong("query.lookback-delta"), help: "How far back an instant selector looks for the latest sample.")
    var queryLookbackDelta = "5m"

    @Option(name: .customLong("query.max-concurrency"), help: "Maximum number of queries executed at once.")
    var queryMaxConcurrency = 20

    @Option(name: .customLong("query.max-queue"), help: "Maximum number of queries waiting for a free slot; beyond it, queries get 503 at once.")
    var queryMaxQueue = 200

    @Option(name: .customLong("web.config.file"), help: "Web configuration file (TLS, basic auth, headers) in Prometheus' format; re-read when it changes.")
    var webConfigFile: String?

    @Option(name: .customLong("web.max-connections"), help: "Maximum number of simultaneous connections; further ones wait to be accepted.")
    var webMaxConnections = 512

    @Option(name: .customLong("web.read-timeout"), help: "Maximum time a connection may stay idle (between requests) before it is closed.")
    var webReadTimeout = "5m"

    @Option(name: .customLong("web.cors.origin"), help: "Regex of origins allowed to call the API from a browser (anchored).")
    var webCORSOrigin = ".*"

    @Option(name: .customLong("log.level"), help: "Only log messages at or above this level: debug, info, warn, error.")
    var logLevel = "info"

    @Option(name: .customLong("log.format"), help: "Log format: logfmt or json.")
    var logFormat = "logfmt"

    @OptionGroup(title: "Accepted for compatibility with the prom/prometheus image")
    var prometheusImage: PrometheusImageOptions

    func validateAndBuild() throws -> (ServerOptions, Logger) {
        guard let format = VigilLogHandler.Format(rawValue: logFormat) else {
            throw ValidationError("--log.format must be logfmt or json, not \"\(logFormat)\"")
        }
        let levels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warn": .warning, "error": .error]
        guard let level = levels[logLevel] else { throw ValidationError("--log.level must be debug, info, warn or error") }
        var o = ServerOptions()
        o.configFile = configFile ?? "configs/prometheus.yml"
        o.configFileIsDefault = configFile == nil
        o.storagePath = storagePath
        do {
            let rt = try PromDuration(parsing: retentionTime)
            o.retentionTime = rt.milliseconds == 0 ? nil : rt
        } catch {
            throw ValidationError("--storage.tsdb.retention.time: \(error)")
        }
        guard let size = ByteSize.parse(retentionSize) else {
            throw ValidationError("--storage.tsdb.retention.size: invalid size \"\(retentionSize)\"")
        }
        o.retentionSize = size == 0 ? nil : size
        guard let fsync = WALFsyncPolicy(parsing: walFsync) else {
            throw ValidationError("--storage.tsdb.wal-fsync must be always, never or a duration")
        }
        o.walFsync = fsync
        guard let segment = ByteSize.parse(walSegmentSize), segment >= 64 << 10, segment <= 1 << 30 else {
            throw ValidationError("--storage.tsdb.wal-segment-size must be a size from 64KB to 1GB")
        }
        o.walSegmentSize = segment
        o.walCompression = walCompression
        o.maintenanceInterval = try Self.duration("storage.tsdb.maintenance-interval", maintenanceInterval, atLeast: "100ms", 100)
        o.blockRange = PromDuration(milliseconds: try Self.milliseconds("storage.tsdb.min-block-duration", minBlockDuration, atLeast: "1m", 60_000))
        if let maxBlockDuration {
            o.maxBlockRange = PromDuration(milliseconds: try Self.milliseconds("storage.tsdb.max-block-duration", maxBlockDuration, atLeast: "1m", 60_000))
        }
        do throws(RetentionRuleError) {
            o.retentionRules = try retentionRules.map { rule throws(RetentionRuleError) in try RetentionRule(flag: rule) }
        } catch {
            throw ValidationError("--storage.tsdb.retention.rules: \(error)")
        }
        o.listenAddress = listenAddress
        guard o.hostAndPort != nil else { throw ValidationError("--web.listen-address: invalid address \"\(listenAddress)\"") }
        o.enableLifecycle = enableLifecycle
        o.enableAdminAPI = enableAdminAPI
        o.enableRemoteWriteReceiver = enableRemoteWriteReceiver
        o.enableOTLPReceiver = enableOTLPReceiver
        o.ingestCreatedTimestamps = prometheusImage.featureNames.contains(PrometheusImageOptions.createdTimestampZeroIngestion)
        o.nativeHistogramsByDefault = prometheusImage.featureNames.contains(PrometheusImageOptions.nativeHistograms)
        o.otlpDeltaToCumulative = prometheusImage.featureNames.contains(PrometheusImageOptions.otlpDeltaToCumulative)
        o.enablePushAPI = enablePushAPI
        o.pushExpireAfter = try Self.optionalDuration("push.expire-after", pushExpireAfter, atLeast: "1s", 1000)
        if let third = pushListenAddress {
            guard ServerOptions.hostAndPort(third) != nil else { throw ValidationError("--push.listen-address: invalid address \"\(third)\"") }
            o.pushListenAddress = third
        }
        o.externalURL = externalURL
        o.dashboardsDirectory = dashboardsDirectory
        guard notificationQueueCapacity > 0 else { throw ValidationError("--alertmanager.notification-queue-capacity must be positive") }
        o.notificationQueueCapacity = notificationQueueCapacity
        o.alertmanagerConfigFile = alertmanagerConfigFile ?? o.alertmanagerConfigFile
        o.alertmanagerConfigFileIsDefault = alertmanagerConfigFile == nil
        o.alertmanagerEnabled = !alertmanagerDisabled
        if agent {
            o.agentMode = true
            o.storagePath = agentStoragePath
            o.alertmanagerEnabled = false
            do {
                let keep = try PromDuration(parsing: agentRetention)
                o.retentionTime = keep.milliseconds == 0 ? nil : keep
            } catch {
                throw ValidationError("--storage.agent.retention.max-time: \(error)")
            }
        }
        do {
            let interval = try PromDuration(parsing: configAutoReloadInterval)
            guard interval.milliseconds == 0 || (1000...86_400_000).contains(interval.milliseconds) else {
                throw ValidationError("--config.auto-reload-interval must be 0s or from 1s to 1d")
            }
            o.configAutoReloadInterval = interval.duration
        } catch let e as ValidationError { throw e } catch {
            throw ValidationError("--config.auto-reload-interval: \(error)")
        }
        if let second = alertmanagerListenAddress {
            guard ServerOptions.hostAndPort(second) != nil else { throw ValidationError("--alertmanager.listen-address: invalid address \"\(second)\"") }
            o.alertmanagerListenAddress = second
        }
        do {
            o.forOutageTolerance = try PromDuration(parsing: forOutageTolerance)
            o.forGracePeriod = try PromDuration(parsing: forGracePeriod)
            o.resendDelay = try PromDuration(parsing: resendDelay)
        } catch {
            throw ValidationError("--rules.alert.*: \(error)")
        }
        guard o.resendDelay.milliseconds > 0 else { throw ValidationError("--rules.alert.resend-delay must be positive") }
        do {
            o.query.timeout = try PromDuration(parsing: queryTimeout).duration
            o.query.lookbackDelta = try PromDuration(parsing: queryLookbackDelta).milliseconds
        } catch {
            throw ValidationError("--query.timeout / --query.lookback-delta: \(error)")
        }
        guard queryMaxSamples > 0, queryMaxConcurrency > 0 else {
            throw ValidationError("--query.max-samples and --query.max-concurrency must be positive")
        }
        o.query.maxSamples = queryMaxSamples
        o.queryMaxConcurrency = queryMaxConcurrency
        guard queryMaxQueue >= 0 else { throw ValidationError("--query.max-queue must not be negative") }
        o.queryMaxQueue = queryMaxQueue
        o.webConfigFile = webConfigFile
        guard webMaxConnections > 0 else { throw ValidationError("--web.max-connections must be positive") }
        o.webMaxConnections = webMaxConnections
        o.webReadTimeout = try Self.duration("web.read-timeout", webReadTimeout, atLeast: "1s", 1000)
        do { o.webCORSOrigin = try AnchoredRegex(webCORSOrigin) } catch {
            throw ValidationError("--web.cors.origin: \(error)")
        }
        o.flags = [
            "config.file": o.configFile, "storage.tsdb.path": storagePath, "storage.tsdb.retention.time": retentionTime,
            "storage.tsdb.retention.size": retentionSize, "storage.tsdb.retention.rules": retentionRules.joined(separator: ", "), "storage.tsdb.wal-fsync": walFsync, "storage.tsdb.wal-compression": String(walCompression),
            "storage.tsdb.wal-segment-size": walSegmentSize, "storage.tsdb.maintenance-interval": maintenanceInterval,
            "storage.tsdb.min-block-duration": minBlockDuration, "storage.tsdb.max-block-duration": maxBlockDuration ?? "", "web.listen-address": listenAddress,
            "web.enable-lifecycle": String(enableLifecycle), "web.enable-admin-api": String(enableAdminAPI), "web.enable-remote-write-receiver": String(enableRemoteWriteReceiver),
            "web.enable-otlp-receiver": String(enableOTLPReceiver),
            "web.enable-push-api": String(enablePushAPI), "push.expire-after": pushExpireAfter, "push.listen-address": pushListenAddress ?? "",
            "web.external-url": externalURL, "web.dashboards-dir": dashboardsDirectory, "log.level": logLevel, "log.format": logFormat,
            "rules.alert.for-outage-tolerance": forOutageTolerance, "rules.alert.for-grace-period": forGracePeriod,
            "rules.alert.resend-delay": resendDelay,
            "alertmanager.config.file": o.alertmanagerConfigFile, "alertmanager.disable": String(alertmanagerDisabled),
            "alertmanager.listen-address": alertmanagerListenAddress ?? "", "config.auto-reload-interval": configAutoReloadInterval,
            "query.timeout": queryTimeout, "query.max-samples": String(queryMaxSamples),
            "query.lookback-delta": queryLookbackDelta, "query.max-concurrency": String(queryMaxConcurrency),
            "query.max-queue": String(queryMaxQueue), "web.config.file": webConfigFile ?? "",
            "web.max-connections": String(webMaxConnections), "web.read-timeout": webReadTimeout, "web.cors.origin": webCORSOrigin,
            "agent": String(agent), "storage.agent.path": agentStoragePath, "storage.agent.retention.max-time": agentRetention,
        ]
        LoggingSystem.bootstrap { VigilLogHandler(label: $0, level: level, format: format) }
        let logger = Logger(label: "vigil")
        for warning in prometheusImage.warnings { logger.warning("\(warning)") }
        return (o, logger)
    }

    /// The duration a flag gives, refused below `minimumMs` (named `minimumText` in the error).
    static func duration(_ flag: String, _ text: String, atLeast minimumText: String, _ minimumMs: Int64) throws -> Duration {
        .milliseconds(try milliseconds(flag, text, atLeast: minimumText, minimumMs))
    }

    /// A duration flag where 0 means "off" (nil) and anything else is at least `minimumMs`.
    static func optionalDuration(_ flag: String, _ text: String, atLeast minimumText: String, _ minimumMs: Int64) throws -> PromDuration? {
        let parsed: PromDuration
        do { parsed = try PromDuration(parsing: text) } catch { throw ValidationError("--\(flag): \(error)") }
        if parsed.milliseconds == 0 { return nil }
        guard parsed.milliseconds >= minimumMs else { throw ValidationError("--\(flag) must be 0s or at least \(minimumText)") }
        return parsed
    }

    /// A duration flag in milliseconds, at least `minimumMs`.
    static func milliseconds(_ flag: String, _ text: String, atLeast minimumText: String, _ minimumMs: Int64) throws -> Int64 {
        let parsed: PromDuration
        do { parsed = try PromDuration(parsing: text) } catch { throw ValidationError("--\(flag): \(error)") }
        guard parsed.milliseconds >= minimumMs else { throw ValidationError("--\(flag) must be at least \(minimumText)") }
        return parsed.milliseconds
    }

    func run() async throws {
        let (options, logger) = try validateAndBuild()
        do {
            try await VigilServer(options: options, logger: logger).run()
        } catch let e as ConfigError {
            logger.error("error loading config", metadata: ["file": "\(e.file)", "line": "\(e.line)", "err": "\(e.message)"])
            FileHandle.standardError.write(Data("vigil: \(e)\n".utf8))
            throw ExitCode(1)
        } catch {
            logger.error("fatal error: \(error)")
            throw ExitCode(1)
        }
    }
}
