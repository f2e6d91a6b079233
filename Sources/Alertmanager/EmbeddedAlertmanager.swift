import ConfigSupport
import Foundation
import Logging
import ServiceLifecycle
import MetricModel
import Synchronization

/// An alert with what the API reports about it: where it is routed and what mutes it.
public struct AlertReport: Sendable {
    public var alert: ManagedAlert
    public var receivers: [String]
    public var silencedBy: [String]
    public var inhibitedBy: [String]
    /// `active` or `suppressed`.
    public var state: String { silencedBy.isEmpty && inhibitedBy.isEmpty ? "active" : "suppressed" }
}

/// Vigil's Alertmanager, running inside the Vigil process: alerts in (from the rule engine,
/// from other Prometheus servers, from anyone through API v2), notifications out.
///
/// Holds the alert store, silences and notification log (saved under `storagePath` when given),
/// the dispatcher with its aggregation groups, and the notification pipeline.
public final class EmbeddedAlertmanager: Service, Sendable {
    public let alerts = AlertStore()
    public let silences: SilenceStore
    public let notificationLog: NotificationLog
    public let dispatcher: Dispatcher
    let pipeline: NotificationPipeline
    private let config: Mutex<AlertmanagerConfiguration>
    private let clock: any WallClock
    private let logger: Logger
    public let startedAt: Int64
    private let received = Mutex<(firing: Int, resolved: Int, invalid: Int)>((0, 0, 0))

    /// Starts with `configuration` (use ``apply(_:externalURL:)`` to change it).
    public init(configuration: AlertmanagerConfiguration, externalURL: String, storagePath: String?, clock: any WallClock = SystemWallClock(),
                logger: Logger, retryBackoffMs: Int64 = 500) throws(ConfigError) {
        self.clock = clock
        self.logger = logger
        self.startedAt = clock.nowMs()
        let dir = storagePath.map { ($0 as NSString).appendingPathComponent("alertmanager") }
        silences = SilenceStore(file: dir.map { ($0 as NSString).appendingPathComponent("silences.json") }, logger: logger)
        notificationLog = NotificationLog(file: dir.map { ($0 as NSString).appendingPathComponent("nflog.json") }, logger: logger)
        let setup = try Self.setup(configuration, externalURL: externalURL)
        config = Mutex(configuration)
        pipeline = NotificationPipeline(setup: setup, alerts: alerts, silences: silences, log: notificationLog, clock: clock,
                                        logger: logger, initialBackoffMs: retryBackoffMs)
        let pipeline = self.pipeline
        dispatcher = Dispatcher(route: configuration.route, clock: clock, logger: logger) { await pipeline.flush($0) }
        for w in configuration.warnings { logger.warning("\(w)") }
    }

    static func setup(_ c: AlertmanagerConfiguration, externalURL: String) throws(ConfigError) -> NotificationPipeline.Setup {
        let base = c.file.isEmpty ? "." : FilePaths.directory(of: c.file)
        let templates = try NotificationTemplates.load(globs: c.templateFiles, baseDirectory: base, file: c.file)
        var integrations: [String: [any Integration]] = [:]
        for r in c.receivers {
            integrations[r.name] = r.integrations
        }
        return NotificationPipeline.Setup(config: c, integrations: integrations, templates: templates,
                                          inhibitor: Inhibitor(rules: c.inhibitRules), externalURL: externalURL)
    }

    /// Takes a new configuration; on any error the running one stays.
    public func apply(_ c: AlertmanagerConfiguration, externalURL: String) throws(ConfigError) {
        let setup = try Self.setup(c, externalURL: externalURL)
        config.withLock { $0 = c }
        pipeline.apply(setup)
        dispatcher.apply(route: c.route, alerts: alerts.all.filter { !$0.isResolved(at: clock.nowMs()) })
        for w in c.warnings { logger.warning("\(w)") }
    }

    public var configuration: AlertmanagerConfiguration { config.withLock { $0 } }

    /// Accepts posted alerts as Alertmanager does: a missing start is now (or the end), a missing
    /// end is now + `resolve_timeout`. Invalid alerts are skipped and described in the result;
    /// the valid ones are stored and routed regardless.
    @discardableResult
    public func receive(_ posted: [PostableAlert]) -> [String] {
        let now = clock.nowMs()
        let resolveTimeout = config.withLock { $0.global.resolveTimeout.milliseconds }
        var valid: [ManagedAlert] = []
        var errors: [String] = []
        var firing = 0, resolved = 0
        for p in posted {
            let startsAt = p.startsAt ?? p.endsAt ?? now
            let alert = ManagedAlert(labels: p.labels, annotations: p.annotations, startsAt: startsAt,
                                     endsAt: p.endsAt ?? now + resolveTimeout, generatorURL: p.generatorURL, updatedAt: now,
                                     timeout: p.endsAt == nil)
            if let problem = Self.validate(alert) {
                errors.append(problem)
                continue
            }
            if alert.isResolved(at: now) { resolved += 1 } else { firing += 1 }
            valid.append(alert)
        }
        received.withLock { $0.firing += firing; $0.resolved += resolved; $0.invalid += errors.count }
        dispatcher.process(alerts.put(valid, now: now))
        return errors
    }

    static func validate(_ a: ManagedAlert) -> String? {
        if a.labels.isEmpty { return "at least one label pair required" }
        for p in a.labels.pairs where p.name.isEmpty { return "invalid label set: empty label name" }
        if let end = a.endsAt, end < a.startsAt { return "start time must be before end time" }
        return nil
    }

    /// Alerts received, by status at arrival, and alerts refused as invalid.
    public var receivedCounts: (firing: Int, resolved: Int, invalid: Int) { received.withLock { $0 } }

    /// Unresolved alerts with their receivers and what silences or inhibits them.
    public func reports() -> [AlertReport] {
        let now = clock.nowMs()
        let all = alerts.all
        let active = all.filter { !$0.isResolved(at: now) }
        let inhibitor = Inhibitor(rules: config.withLock { $0.inhibitRules })
        let inhibited = inhibitor.inhibitions(of: active, among: all, now: now)
        return active.map { a in
            AlertReport(alert: a, receivers: dispatcher.receivers(for: a.labels), silencedBy: silences.silencing(a.labels, now: now),
                        inhibitedBy: (inhibited[a.fingerprint] ?? []).map(\.description).sorted())
        }.sorted { $0.alert.labels < $1.alert.labels }
    }

    /// Delivery counters per integration kind.
    public var notificationCounters: [String: NotificationPipeline.Counters] { pipeline.counters }

    /// Runs the dispatcher and, every `maintenanceInterval`, drops resolved alerts, expired
    /// silences past retention and old log entries.
    /// Runs the dispatcher and the 15-minute garbage collection until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.run(maintenanceIntervalMs: 15 * 60_000) }
    }

    /// Runs the dispatcher and, every `maintenanceIntervalMs`, the garbage collection until cancelled.
    public func run(maintenanceIntervalMs: Int64) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.dispatcher.run() }
            group.addTask {
                while !Task.isCancelled {
                    do { try await self.clock.sleep(untilMs: self.clock.nowMs() + maintenanceIntervalMs) } catch { return }
                    self.maintain()
                }
            }
        }
    }

    /// One round of garbage collection.
    public func maintain() {
        let now = clock.nowMs()
        let inGroups = Set(dispatcher.groups.flatMap { $0.alerts.keys })
        alerts.collectGarbage(now: now, keeping: inGroups)
        silences.collectGarbage(now: now)
        notificationLog.collectGarbage(now: now)
    }
}
