import Alertmanager
import Config
import Foundation
import MetricModel
import NIOCore
import Notifier
import PromQL
import RemoteWrite
import Push
import Rules
import Scrape
import TSDB

/// Everything the HTTP routes read and trigger, as the server provides it.
///
/// The routes own no component: they ask this for the querier, the targets, the rules, the
/// Alertmanager and the lifecycle actions, and write responses. Members that depend on storage
/// being open are nil until it is, and the routes answer "not ready" then.
public protocol APIBackend: Sendable {
    /// Facts that do not change while the server runs: version, flags, enabled features.
    var settings: APISettings { get }
    /// The read seam over stored series (nil until storage is open).
    var querier: (any Querier)? { get }
    /// The write seam the remote-write receiver appends through (nil until storage is open).
    var appendable: (any Appendable)? { get }
    /// Head cardinality for `/api/v1/status/tsdb`, the top `limit` of each list.
    func cardinality(limit: Int) -> CardinalityStats?
    /// Damaged WAL records or snapshots found when storage was opened.
    var storageCorruptions: Int { get }
    /// How far the WAL replay of opening storage has got (`/api/v1/status/walreplay`).
    var walReplay: WALReplayProgress.Snapshot { get }
    var scrapeManager: ScrapeManager? { get }
    /// Metric metadata remote-write 2.0 senders sent (nil for a backend that keeps none).
    var receivedMetadata: ReceivedMetadata? { get }
    /// The push API's groups (nil until storage is open).
    var pushGateway: PushGateway? { get }
    var ruleManager: RuleManager? { get }
    var notifier: Notifier? { get }
    /// Vigil's own Alertmanager (API v2), when enabled.
    var alertmanager: EmbeddedAlertmanager? { get }
    /// The configuration in force.
    var config: PrometheusConfig? { get }
    var lastReload: (success: Bool, at: Date) { get }
    /// Ready once storage is replayed and scraping has started.
    var isReady: Bool { get }
    /// Reloads every configuration file; the running configuration stays when a new one is invalid.
    func reload() async -> ReloadResult
    /// Writes a backup of the stored samples under the storage directory's `snapshots/` and
    /// returns its name (`/api/v1/admin/tsdb/snapshot`), or why it could not.
    func snapshotStorage() async -> Result<String, BackupError>
    /// Deletes the samples in `[mint, maxt]` of the series matching any selector
    /// (`/api/v1/admin/tsdb/delete_series`).
    func deleteSeries(_ selectors: [[LabelMatcher]], mint: Int64, maxt: Int64) async -> Result<Void, BackupError>
    /// Rewrites blocks without their deleted samples (`/api/v1/admin/tsdb/clean_tombstones`).
    func cleanTombstones() async -> Result<Void, BackupError>
    /// Starts a graceful shutdown.
    func quit()
    /// Vigil's own metrics in the Prometheus text format.
    func metricsExposition() async -> [UInt8]
    /// Admits a query (at most `--query.max-concurrency` run at once), prepares and evaluates it
    /// where its size says, and passes the outcome to `finish`, whose result is returned. Work
    /// moved off the event loop resumes on `eventLoop`, the request's connection's.
    func runQuery<Output: Sendable>(
        on eventLoop: any EventLoop,
        _ prepare: () throws(QueryError) -> PreparedQuery,
        finish: @escaping @Sendable (Result<QueryResult, QueryError>) -> Output
    ) async -> Output
}

/// Outcome of a reload request.
public enum ReloadResult: Sendable {
    case success
    case failure(String)
}

/// What the routes need to know about the server that does not change while it runs.
public struct APISettings: Sendable {
    public var buildInfo: BuildInfo
    /// Flag names (as Prometheus spells them) and their values.
    public var flags: [String: String]
    /// Whether `/-/reload` and `/-/quit` are served (`--web.enable-lifecycle`).
    public var lifecycleEnabled: Bool
    /// Whether `/api/v1/write` is served (`--web.enable-remote-write-receiver`).
    public var remoteWriteEnabled: Bool
    /// Whether a remote-write 2.0 series' created timestamp is stored as a zero sample
    /// (`--enable-feature=created-timestamp-zero-ingestion`).
    public var ingestCreatedTimestamps = false
    /// Whether `/api/v1/otlp/v1/metrics` is served (`--web.enable-otlp-receiver`).
    public var otlpEnabled = false
    /// The OTLP receiver's delta streams when delta points become cumulative
    /// (`--enable-feature=otlp-deltatocumulative`); nil refuses delta points.
    package var otlpDeltaStreams: OTLPDeltaStreams?
    /// Whether `/metrics/job/…` takes pushes (`--web.enable-push-api`).
    public var pushEnabled = false
    /// Query limits (`--query.timeout`, `--query.max-samples`, …).
    public var queryOptions: QueryOptions
    /// Where the web UI finds the Grafana dashboards it draws (`--web.dashboards-dir`).
    public var dashboardsDirectory: String
    public var startTime: Date
    /// Whether `/api/v1/admin/…` is served (`--web.enable-admin-api`).
    public var adminEnabled = false
    /// `--agent`: scrape, WAL and remote write only; query, rule and alert endpoints answer 422.
    public var agentMode = false
    /// `--web.cors.origin`: origins whose pages may call the API; nil allows none.
    public var corsOrigin: AnchoredRegex?

    public init(buildInfo: BuildInfo, flags: [String: String], lifecycleEnabled: Bool, remoteWriteEnabled: Bool,
                queryOptions: QueryOptions, dashboardsDirectory: String, startTime: Date = Date(), corsOrigin: AnchoredRegex? = nil) {
        self.corsOrigin = corsOrigin
        self.buildInfo = buildInfo
        self.flags = flags
        self.lifecycleEnabled = lifecycleEnabled
        self.remoteWriteEnabled = remoteWriteEnabled
        self.queryOptions = queryOptions
        self.dashboardsDirectory = dashboardsDirectory
        self.startTime = startTime
    }
}

/// Facts for `/api/v1/status/buildinfo`, with Prometheus' field names.
public struct BuildInfo: Sendable, Encodable {
    public var version: String
    public var revision = "unknown"
    public var branch = "unknown"
    public var buildUser = "unknown"
    public var buildDate = "unknown"
    public var goVersion = "swift-6"

    public init(version: String) { self.version = version }
}

/// Why a storage backup failed.
public struct BackupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
