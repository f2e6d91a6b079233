import Alertmanager
import Config
import Foundation
import HTTPAPI
import Logging
import NIOPosix
import Notifier
import PromQL
import Rules
import Scrape
import ServiceLifecycle
import TSDB
import UnixSignals

/// The non-HTTP half of the server: replays storage, runs scraping and storage maintenance,
/// reloads on SIGHUP, and on shutdown stops scraping, writes a snapshot and closes the WAL.
///
/// Work that blocks a thread for long (WAL replay, fsync, snapshots, retention, rule groups)
/// runs on NIO's blocking pool: the tasks here run on event loops (see `VigilMain`), whose
/// connections would wait for it.
actor VigilCore: Service {
    let options: ServerOptions
    let initialConfig: PrometheusConfig
    let state: ServerState
    let logger: Logger
    private var database: Database?
    private var scrapeManager: ScrapeManager?
    private var ruleManager: RuleManager?
    private var notifier: Notifier?
    private var alertmanager: EmbeddedAlertmanager?

    init(options: ServerOptions, initialConfig: PrometheusConfig, state: ServerState, logger: Logger) {
        self.options = options
        self.initialConfig = initialConfig
        self.state = state
        self.logger = logger
    }

    func run() async throws {
        var dbOptions = DatabaseOptions()
        dbOptions.retentionTime = options.retentionTime
        dbOptions.retentionSize = options.retentionSize
        dbOptions.walFsync = options.walFsync
        let metrics = state.metrics
        let start = ContinuousClock.now
        let (path, logger, storageOptions) = (options.storagePath, logger, dbOptions)
        let db = try await Self.blocking {
            try Database(directory: path, options: storageOptions, logger: logger, fsyncObserver: { metrics.observeFsync($0) })
        }
        logger.info("storage ready", metadata: [
            "path": "\(options.storagePath)", "series": "\(db.head.seriesCount)",
            "replayed_samples": "\(db.replayReport.samples)", "replay_duration": "\(start.duration(to: .now))",
        ])
        for c in db.replayReport.corruptions { logger.warning("storage damage repaired: \(c)") }
        let manager = ScrapeManager(storage: db.head, logger: logger, metrics: metrics)
        database = db
        scrapeManager = manager
        let config = initialConfig
        let ruleFiles = try RuleFile.loadAll(config.ruleFiles)
        let notifier = Notifier(queueCapacity: options.notificationQueueCapacity, logger: logger)
        notifier.apply(config.alerting, externalLabels: config.global.externalLabels)
        let externalURL = templates(config).externalURL
        if options.alertmanagerEnabled {
            let amConfig = try ConfigLoader(options: options, logger: logger).loadAlertmanager()
            let am = try EmbeddedAlertmanager(configuration: amConfig, externalURL: Self.trimmedURL(externalURL), storagePath: options.storagePath,
                                              logger: logger)
            notifier.setLocalDelivery { alerts in am.receive(alerts.map(PostedAlert.init)) }
            alertmanager = am
            state.setAlertmanager(am)
        }
        let restoration = ForStateRestoration(outageToleranceMs: options.forOutageTolerance.milliseconds,
                                              gracePeriodMs: options.forGracePeriod.milliseconds)
        let rules = RuleManager(engine: Engine(options: state.queryOptions.engine), querier: db.head, storage: db.head, logger: logger,
                                resendDelay: options.resendDelay.milliseconds, restoration: restoration,
                                runEvaluation: { evaluation in _ = try? await Self.blocking(evaluation) },
                                notify: { alerts in notifier.send(alerts.map { PostableAlert($0, externalURL: externalURL) }) })
        rules.apply(ruleFiles, evaluationInterval: config.global.evaluationInterval.milliseconds, templates: templates(config))
        self.notifier = notifier
        ruleManager = rules
        state.setRuleManager(rules, notifier: notifier)
        try await manager.apply(config)
        state.setConfig(config, success: true)
        metrics.recordReload(success: true, at: Date().timeIntervalSince1970)
        state.setStorage(db, scrapeManager: manager)
        logger.info("server is ready to receive web requests", metadata: [
            "jobs": "\(config.scrapeConfigs.count)", "rule_groups": "\(ruleFiles.reduce(0) { $0 + $1.groups.count })",
        ])

        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await manager.run() }
            group.addTask { await rules.run() }
            group.addTask { await notifier.run() }
            if let am = self.alertmanager { group.addTask { await am.run() } }
            group.addTask { await self.maintain(db) }
            group.addTask { await self.reloadOnSIGHUP() }
            // Wait for shutdown, then stop everything in order.
            try? await gracefulShutdown()
            group.cancelAll()
            await manager.stopAll()
        }
        do {
            try await Self.blocking { try db.checkpoint() }
        } catch {
            logger.error("final snapshot failed; the WAL still holds everything: \(error)")
        }
        db.close()
        logger.info("storage closed")
    }

    /// Reloads the configuration; the running one stays in force when the new one is invalid.
    func reload() async -> ServerState.ReloadResult {
        guard let manager = scrapeManager else { return .failure("not ready") }
        let now = Date().timeIntervalSince1970
        do {
            let config = try ConfigLoader(options: options, logger: logger).load()
            // Rule files are read first: a broken one fails the reload before anything changes.
            let ruleFiles = try RuleFile.loadAll(config.ruleFiles)
            let amConfig = options.alertmanagerEnabled ? try ConfigLoader(options: options, logger: logger).loadAlertmanager() : nil
            if let amConfig { try alertmanager?.apply(amConfig, externalURL: Self.trimmedURL(templates(config).externalURL)) }
            try await manager.apply(config)
            ruleManager?.apply(ruleFiles, evaluationInterval: config.global.evaluationInterval.milliseconds, templates: templates(config))
            notifier?.apply(config.alerting, externalLabels: config.global.externalLabels)
            state.setConfig(config, success: true)
            state.metrics.recordReload(success: true, at: now)
            logger.info("completed loading of configuration file", metadata: ["file": "\(options.configFile)"])
            return .success
        } catch {
            state.recordReloadFailure()
            state.metrics.recordReload(success: false, at: now)
            logger.error("error reloading config; the previous configuration stays in force", metadata: ["error": "\(error)"])
            return .failure("\(error)")
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

    private func reloadOnSIGHUP() async {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals {
            _ = await reload()
        }
    }

    /// Periodic retention, snapshots and interval fsyncs.
    private nonisolated func maintain(_ db: Database) async {
        let fsyncEvery: Duration
        if case .interval(let d) = options.walFsync { fsyncEvery = d } else { fsyncEvery = .seconds(10) }
        var lastMaintenance = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: min(fsyncEvery, options.maintenanceInterval)) } catch { break }
            do { try await Self.blocking { try db.syncWAL() } } catch { logger.error("WAL fsync failed: \(error)") }
            guard lastMaintenance.duration(to: .now) >= options.maintenanceInterval else { continue }
            lastMaintenance = .now
            let dropped = (try? await Self.blocking { db.applyRetention() }) ?? 0
            if dropped > 0 { logger.info("retention dropped series", metadata: ["series": "\(dropped)"]) }
            if db.needsCheckpoint {
                do { try await Self.blocking { try db.checkpoint() } } catch { logger.error("snapshot failed: \(error)") }
            }
        }
    }

    /// Runs `work` on NIO's blocking pool and waits for it (here, should the pool refuse work).
    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(work)
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            return try work()
        }
    }
}
