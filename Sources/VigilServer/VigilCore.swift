import Alertmanager
import Config
import ConfigSupport
import Foundation
import HTTPAPI
import Logging
import MetricModel
import NIOCore
import Notifier
import PromQL
import Push
import RemoteWrite
import Rules
import Scrape
import ServiceLifecycle
import Synchronization
import TSDB

/// The one owner of Vigil's components, and what the HTTP routes see of them (`APIBackend`).
///
/// As a service it opens storage (replaying the WAL), builds the Alertmanager, notifier, rule
/// manager and scrape manager, and runs them with storage maintenance and the SIGHUP reloader as
/// services of one inner ServiceGroup. That group starts them in dependency order and shuts them
/// down in reverse: scraping stops first, then rules, the notifier and the Alertmanager, and
/// storage last (a final snapshot, then the WAL is closed).
final class VigilCore: Service, APIBackend {
    let options: ServerOptions
    let settings: APISettings
    let metrics: VigilMetrics
    /// Filled in while storage opens; read by the status API and metrics meanwhile.
    let replayProgress = WALReplayProgress()
    private let initialConfig: PrometheusConfig
    private let queries: QueryScheduler
    private let logger: Logger

    /// The components, once storage is open and they are built.
    private struct Components: Sendable {
        var database: Database
        var scrapeManager: ScrapeManager
        var ruleManager: RuleManager
        var notifier: Notifier
        var alertmanager: EmbeddedAlertmanager?
        var remoteWrite: RemoteWriteSender
        var push: PushGateway
    }

    private struct State: Sendable {
        var components: Components?
        var config: PrometheusConfig?
        var lastReloadSuccess = true
        var lastReload = Date()
        var services: ServiceGroup?
        var quitRequested = false
    }

    private let state = Mutex(State())

    init(options: ServerOptions, initialConfig: PrometheusConfig, logger: Logger) {
        self.options = options
        self.initialConfig = initialConfig
        self.logger = logger
        self.metrics = VigilMetrics()
        self.queries = QueryScheduler(maxConcurrency: options.queryMaxConcurrency, maxQueue: options.queryMaxQueue)
        var settings = APISettings(buildInfo: BuildInfo(version: VigilVersion.version), flags: options.flags,
                                    lifecycleEnabled: options.enableLifecycle, remoteWriteEnabled: options.enableRemoteWriteReceiver,
                                    queryOptions: options.query, dashboardsDirectory: options.dashboardsDirectory,
                                    corsOrigin: options.webCORSOrigin)
        settings.adminEnabled = options.enableAdminAPI
        settings.pushEnabled = options.enablePushAPI
        settings.otlpEnabled = options.enableOTLPReceiver
        settings.otlpDeltaStreams = options.otlpDeltaToCumulative ? OTLPDeltaStreams() : nil
        settings.ingestCreatedTimestamps = options.ingestCreatedTimestamps
        settings.agentMode = options.agentMode
        self.settings = settings
    }

    func run() async throws {
        let components = try await build()
        let config = initialConfig
        try await components.scrapeManager.apply(config)
        let services = ServiceGroup(configuration: .init(
            services: serviceOrder(components).map { .init(service: $0) },
            logger: logger))
        let quitEarly = state.withLock { s in
            s.components = components
            s.config = config
            s.lastReload = Date()
            s.services = services
            return s.quitRequested
        }
        metrics.recordReload(success: true, at: Date().timeIntervalSince1970)
        logger.info("server is ready to receive web requests", metadata: [
            "jobs": "\(config.scrapeConfigs.count)", "rule_groups": "\(components.ruleManager.groups.count)",
        ])
        if quitEarly { await services.triggerGracefulShutdown() }
        try await services.run()
    }

    /// Storage first, scraping last: the order services start in, the reverse of the shutdown order.
    private func serviceOrder(_ c: Components) -> [any Service] {
        var services: [any Service] = [
            StorageService(database: c.database, walFsync: options.walFsync, maintenanceInterval: options.maintenanceInterval, logger: logger),
        ]
        // Remote write stops after scraping and rules, so their last samples are sent.
        services.append(c.remoteWrite)
        // Pushed groups are stored every global scrape interval, and written to disk before
        // storage closes.
        if options.enablePushAPI {
            services.append(PushGatewayService(gateway: c.push, interval: { [weak self] in
                self?.config?.global.scrapeInterval.duration ?? .seconds(15)
            }, logger: logger))
        }
        if let am = c.alertmanager { services.append(am) }
        services += [c.notifier, c.ruleManager, c.scrapeManager, ConfigReloader(reload: { [weak self] in _ = await self?.reload() })]
        if options.configAutoReloadInterval > .zero {
            services.append(ConfigFileWatcher(interval: options.configAutoReloadInterval, files: { [weak self] in self?.watchedFiles ?? [] },
                                              reload: { [weak self] in _ = await self?.reload() }))
        }
        return services
    }

    /// Opens storage, then builds every component from the initial configuration.
    private func build() async throws -> Components {
        var dbOptions = DatabaseOptions()
        dbOptions.retentionTime = options.retentionTime
        dbOptions.retentionSize = options.retentionSize
        dbOptions.walFsync = options.walFsync
        dbOptions.walSegmentSize = options.walSegmentSize
        dbOptions.walCompression = options.walCompression
        dbOptions.blockRangeMs = options.blockRange.milliseconds
        dbOptions.maxBlockRangeMs = options.maxBlockRange?.milliseconds
        dbOptions.retentionRules = options.retentionRules
        let metrics = self.metrics
        let start = ContinuousClock.now
        let (path, logger, storageOptions, progress) = (options.storagePath, logger, dbOptions, replayProgress)
        let db = try await BlockingPool.run {
            try Database(directory: path, options: storageOptions, logger: logger, fsyncObserver: { metrics.observeFsync($0) },
                         progress: progress)
        }
        logger.info("storage ready", metadata: [
            "path": "\(options.storagePath)", "blocks": "\(db.replayReport.blocks)", "series": "\(db.head.seriesCount)",
            "replayed_samples": "\(db.replayReport.samples)", "replay_duration": "\(start.duration(to: .now))",
        ])
        for c in db.replayReport.corruptions { logger.warning("storage damage repaired: \(c)") }

        let config = initialConfig
        let ruleFiles = try RuleFile.loadAll(config.ruleFiles, nameValidation: config.global.nameSchemes.validation)
        let notifier = Notifier(queueCapacity: options.notificationQueueCapacity, logger: logger)
        notifier.apply(config.alerting, externalLabels: config.global.externalLabels)
        let externalURL = templates(config).externalURL
        var alertmanager: EmbeddedAlertmanager?
        if options.alertmanagerEnabled {
            let amConfig = try ConfigLoader(options: options, logger: logger).loadAlertmanager()
            let am = try EmbeddedAlertmanager(configuration: amConfig, externalURL: Self.trimmedURL(externalURL),
                                              storagePath: options.storagePath, logger: logger)
            notifier.setLocalDelivery { alerts in am.receive(alerts) }
            var listeners: [SelfAddresses.Listener] = []
            for address in [options.listenAddress, options.alertmanagerListenAddress, options.pushListenAddress].compactMap({ $0 }) {
                if let (host, port) = ServerOptions.hostAndPort(address) { listeners.append(.init(host: host, port: port)) }
            }
            notifier.setSelfAddresses(SelfAddresses(listeners: listeners))
            alertmanager = am
        }
        let restoration = ForStateRestoration(outageToleranceMs: options.forOutageTolerance.milliseconds,
                                              gracePeriodMs: options.forGracePeriod.milliseconds)
        let rules = RuleManager(engine: Engine(options: options.query), querier: db, storage: db.head, logger: logger,
                                resendDelay: options.resendDelay.milliseconds, restoration: restoration,
                                runEvaluation: { evaluation in _ = try? await BlockingPool.run(evaluation) },
                                notify: { alerts in notifier.send(alerts.map { PostableAlert($0, externalURL: externalURL) }) })
        rules.apply(ruleFiles, evaluationInterval: config.global.evaluationInterval.milliseconds, templates: templates(config))
        let scrapes = ScrapeManager(storage: db.head, userAgent: VigilVersion.userAgent, logger: logger, metrics: metrics)
        let remoteWrite = RemoteWriteSender(database: db, storagePath: options.storagePath, userAgent: VigilVersion.userAgent, logger: logger)
        remoteWrite.apply(config.remoteWrite, externalLabels: config.global.externalLabels)
        let push = PushGateway(storage: db.head, file: options.enablePushAPI ? (options.storagePath as NSString).appendingPathComponent("push-groups.json") : nil,
                               expireAfterMs: options.pushExpireAfter?.milliseconds, logger: logger)
        push.setNativeHistograms(config.global.nativeHistograms.scrapeNativeHistograms == true,
                                 classic: config.global.nativeHistograms.alwaysScrapeClassicHistograms)
        return Components(database: db, scrapeManager: scrapes, ruleManager: rules, notifier: notifier, alertmanager: alertmanager,
                          remoteWrite: remoteWrite, push: push)
    }

    /// The files whose change reloads the configuration: the main file, the Alertmanager's, and
    /// the rule files the configuration in force names.
    var watchedFiles: [String] {
        var files = [options.configFile]
        if options.alertmanagerEnabled { files.append(options.alertmanagerConfigFile) }
        for pattern in config?.ruleFiles ?? [] { files += FileGlob.expand(pattern) }
        return files
    }

    /// Reloads the configuration; the running one stays in force when the new one is invalid.
    func reload() async -> ReloadResult {
        guard let c = state.withLock({ $0.components }) else { return .failure("not ready") }
        let now = Date()
        do {
            let config = try ConfigLoader(options: options, logger: logger).load()
            // Rule files are read first: a broken one fails the reload before anything changes.
            let ruleFiles = try RuleFile.loadAll(config.ruleFiles, nameValidation: config.global.nameSchemes.validation)
            let amConfig = options.alertmanagerEnabled ? try ConfigLoader(options: options, logger: logger).loadAlertmanager() : nil
            if let amConfig { try c.alertmanager?.apply(amConfig, externalURL: Self.trimmedURL(templates(config).externalURL)) }
            try await c.scrapeManager.apply(config)
            c.ruleManager.apply(ruleFiles, evaluationInterval: config.global.evaluationInterval.milliseconds, templates: templates(config))
            c.notifier.apply(config.alerting, externalLabels: config.global.externalLabels)
            c.remoteWrite.apply(config.remoteWrite, externalLabels: config.global.externalLabels)
            c.push.setNativeHistograms(config.global.nativeHistograms.scrapeNativeHistograms == true,
                                       classic: config.global.nativeHistograms.alwaysScrapeClassicHistograms)
            state.withLock { s in
                s.config = config
                s.lastReloadSuccess = true
                s.lastReload = now
            }
            metrics.recordReload(success: true, at: now.timeIntervalSince1970)
            logger.info("completed loading of configuration file", metadata: ["file": "\(options.configFile)"])
            return .success
        } catch {
            state.withLock { s in
                s.lastReloadSuccess = false
                s.lastReload = now
            }
            metrics.recordReload(success: false, at: now.timeIntervalSince1970)
            logger.error("error reloading config; the previous configuration stays in force", metadata: ["error": "\(error)"])
            return .failure("\(error)")
        }
    }

    func snapshotStorage() async -> Result<String, BackupError> {
        guard let database = state.withLock({ $0.components?.database }) else { return .failure(BackupError("storage is not open yet")) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let name = formatter.string(from: Date()) + "-" + String(UInt64.random(in: 0 ... .max), radix: 16)
        let target = (options.storagePath as NSString).appendingPathComponent("snapshots/" + name)
        do {
            try await BlockingPool.run { try database.backup(to: target) }
            logger.info("storage snapshot written", metadata: ["path": "\(target)"])
            return .success(name)
        } catch {
            return .failure(BackupError("\(error)"))
        }
    }

    func deleteSeries(_ selectors: [[LabelMatcher]], mint: Int64, maxt: Int64) async -> Result<Void, BackupError> {
        guard let database = state.withLock({ $0.components?.database }) else { return .failure(BackupError("storage is not open yet")) }
        do {
            try await BlockingPool.run { _ = try database.deleteSeries(selectors, mint: mint, maxt: maxt) }
            return .success(())
        } catch {
            return .failure(BackupError("\(error)"))
        }
    }

    func cleanTombstones() async -> Result<Void, BackupError> {
        guard let database = state.withLock({ $0.components?.database }) else { return .failure(BackupError("storage is not open yet")) }
        do {
            try await BlockingPool.run { _ = try database.cleanTombstones() }
            return .success(())
        } catch {
            return .failure(BackupError("\(error)"))
        }
    }

    /// What alert templates see as `$externalLabels` and `$externalURL` (Prometheus' default URL
    /// when `--web.external-url` is unset: this host and the listen port).
    private func templates(_ config: PrometheusConfig) -> RuleTemplates {
        var url = options.externalURL
        if url.isEmpty {
            let port = options.listenAddress.split(separator: ":").last.map(String.init) ?? "9090"
            url = "http://\(ProcessInfo.processInfo.hostName):\(port)/"
        }
        return RuleTemplates(externalLabels: Dictionary(config.global.externalLabels.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }),
                             externalURL: url)
    }

    /// The external URL without a trailing slash, as notifications link to it.
    static func trimmedURL(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    // MARK: APIBackend

    var querier: (any Querier)? { state.withLock { $0.components?.database } }
    var appendable: (any Appendable)? { state.withLock { $0.components?.database.head } }
    var scrapeManager: ScrapeManager? { state.withLock { $0.components?.scrapeManager } }
    var pushGateway: PushGateway? { state.withLock { $0.components?.push } }
    let receivedMetadata: ReceivedMetadata? = ReceivedMetadata()
    var ruleManager: RuleManager? { state.withLock { $0.components?.ruleManager } }
    var notifier: Notifier? { state.withLock { $0.components?.notifier } }
    var alertmanager: EmbeddedAlertmanager? { state.withLock { $0.components?.alertmanager } }
    var config: PrometheusConfig? { state.withLock { $0.config } }
    var lastReload: (success: Bool, at: Date) { state.withLock { ($0.lastReloadSuccess, $0.lastReload) } }
    var isReady: Bool { state.withLock { $0.components != nil } }

    var storageCorruptions: Int {
        state.withLock { $0.components?.database.head.stats.walCorruptions.load(ordering: .relaxed) } ?? 0
    }

    var walReplay: WALReplayProgress.Snapshot { replayProgress.snapshot }

    func cardinality(limit: Int) -> CardinalityStats? {
        state.withLock { $0.components?.database }?.head.cardinality(limit: limit)
    }

    /// Stops the components (the service then returns and the server's group shuts down).
    func quit() {
        let services = state.withLock { s in
            s.quitRequested = true
            return s.services
        }
        if let services { Task { await services.triggerGracefulShutdown() } }
    }

    func metricsExposition() async -> [UInt8] {
        let c = state.withLock { $0.components }
        let targets = await c?.scrapeManager.targets()
        return metrics.render(database: c?.database, replay: replayProgress.snapshot, rules: c?.ruleManager, notifier: c?.notifier, alertmanager: c?.alertmanager,
                              scrapes: c?.scrapeManager, targets: targets, remoteWrite: c?.remoteWrite,
                              push: options.enablePushAPI ? c?.push : nil)
    }

    func runQuery<Output: Sendable>(
        on eventLoop: any EventLoop,
        _ prepare: () throws(QueryError) -> PreparedQuery,
        finish: @escaping @Sendable (Result<QueryResult, QueryError>) -> Output
    ) async -> Output {
        await queries.run(on: eventLoop, prepare, finish: finish)
    }
}
