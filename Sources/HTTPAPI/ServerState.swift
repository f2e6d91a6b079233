import Alertmanager
import Config
import Foundation
import Notifier
import PromQL
import Rules
import Scrape
import Synchronization
import TSDB

/// What the HTTP routes read and trigger: storage, scraping, configuration and lifecycle hooks.
/// The server fills it in as components come up; routes answer "not ready" until then.
public final class ServerState: Sendable {
    /// Facts for `/api/v1/status/buildinfo` and `vigil --version`.
    public struct BuildInfo: Sendable, Encodable {
        public var version = VigilVersion.version
        public var revision = "unknown"
        public var branch = "unknown"
        public var buildUser = "unknown"
        public var buildDate = "unknown"
        public var goVersion = "swift-6"
        public init() {}
    }

    /// Outcome of a reload request.
    public enum ReloadResult: Sendable {
        case success
        case failure(String)
    }

    public let buildInfo: BuildInfo
    /// Flag names (as Prometheus spells them) and their values.
    public let flags: [String: String]
    public let lifecycleEnabled: Bool
    public let remoteWriteEnabled: Bool
    public let metrics: VigilMetrics

    /// Query limits (`--query.*` flags).
    public struct QuerySettings: Sendable {
        public var engine = QueryOptions()
        public var maxConcurrency = 20
        public init() {}
    }

    public let queryOptions: QuerySettings
    /// Admits and places every query the HTTP API runs (Prometheus and Grafana JSON routes alike).
    public let queries: QueryScheduler
    public let startTime = Date()

    private struct Mutable: Sendable {
        var database: Database?
        var scrapeManager: ScrapeManager?
        var ruleManager: RuleManager?
        var notifier: Notifier?
        var alertmanager: EmbeddedAlertmanager?
        var config: PrometheusConfig?
        var lastReloadSuccess = true
        var lastReload = Date()
        var reload: (@Sendable () async -> ReloadResult)?
        var quit: (@Sendable () -> Void)?
    }

    private let mutable = Mutex(Mutable())

    /// Where the web UI finds the Grafana dashboards it draws (`--web.dashboards-dir`).
    public let dashboardsDirectory: String

    public init(buildInfo: BuildInfo = BuildInfo(), flags: [String: String], lifecycleEnabled: Bool, remoteWriteEnabled: Bool,
                queryOptions: QuerySettings = QuerySettings(), metrics: VigilMetrics, dashboardsDirectory: String = "dashboards") {
        self.dashboardsDirectory = dashboardsDirectory
        self.queryOptions = queryOptions
        self.queries = QueryScheduler(maxConcurrency: queryOptions.maxConcurrency)
        self.buildInfo = buildInfo
        self.flags = flags
        self.lifecycleEnabled = lifecycleEnabled
        self.remoteWriteEnabled = remoteWriteEnabled
        self.metrics = metrics
    }

    public var database: Database? { mutable.withLock { $0.database } }
    public var scrapeManager: ScrapeManager? { mutable.withLock { $0.scrapeManager } }
    public var ruleManager: RuleManager? { mutable.withLock { $0.ruleManager } }

    public var notifier: Notifier? { mutable.withLock { $0.notifier } }

    /// Vigil's own Alertmanager (API v2), when enabled.
    public var alertmanager: EmbeddedAlertmanager? { mutable.withLock { $0.alertmanager } }

    public func setAlertmanager(_ am: EmbeddedAlertmanager?) { mutable.withLock { $0.alertmanager = am } }

    public func setRuleManager(_ manager: RuleManager, notifier: Notifier) {
        mutable.withLock { $0.ruleManager = manager; $0.notifier = notifier }
    }
    public var config: PrometheusConfig? { mutable.withLock { $0.config } }
    /// Ready once the WAL has been replayed and scraping has started.
    public var isReady: Bool { mutable.withLock { $0.database != nil && $0.scrapeManager != nil } }
    public var lastReload: (success: Bool, at: Date) { mutable.withLock { ($0.lastReloadSuccess, $0.lastReload) } }

    public func setStorage(_ db: Database, scrapeManager: ScrapeManager) {
        mutable.withLock { $0.database = db; $0.scrapeManager = scrapeManager }
    }

    public func setConfig(_ c: PrometheusConfig, success: Bool) {
        mutable.withLock { m in
            if success { m.config = c }
            m.lastReloadSuccess = success
            m.lastReload = Date()
        }
    }

    public func recordReloadFailure() {
        mutable.withLock { $0.lastReloadSuccess = false; $0.lastReload = Date() }
    }

    public func setHooks(reload: @escaping @Sendable () async -> ReloadResult, quit: @escaping @Sendable () -> Void) {
        mutable.withLock { $0.reload = reload; $0.quit = quit }
    }

    func reload() async -> ReloadResult {
        guard let r = mutable.withLock({ $0.reload }) else { return .failure("not ready") }
        return await r()
    }

    func quit() { mutable.withLock { $0.quit }?() }
}
