import MetricModel
import PromQL
import TSDB

/// Everything the `vigil server` command line decides, with Prometheus' flag names.
public struct ServerOptions: Sendable {
    public var configFile = "configs/prometheus.yml"
    /// Whether `configFile` is the default (a missing default falls back to self-scraping).
    public var configFileIsDefault = true
    public var storagePath = "data/"
    public var retentionTime: PromDuration? = PromDuration(milliseconds: 15 * 86_400_000)
    public var retentionSize: Int?
    public var walFsync: WALFsyncPolicy = .interval(.seconds(10))
    public var listenAddress = "0.0.0.0:9090"
    public var enableLifecycle = false
    /// `--web.enable-admin-api`: serve `/api/v1/admin/…`.
    public var enableAdminAPI = false
    public var enableRemoteWriteReceiver = false
    /// `--web.enable-otlp-receiver`: serve `/api/v1/otlp/v1/metrics`.
    public var enableOTLPReceiver = false
    /// `--enable-feature=otlp-deltatocumulative`: OTLP delta points are added up into the
    /// cumulative series Prometheus stores instead of being refused.
    public var otlpDeltaToCumulative = false
    /// `--enable-feature=created-timestamp-zero-ingestion`: remote-write 2.0 created timestamps
    /// become zero samples.
    public var ingestCreatedTimestamps = false
    /// `--enable-feature=native-histograms`: jobs scrape native histograms unless their
    /// configuration says otherwise (`scrape_native_histograms`).
    public var nativeHistogramsByDefault = false
    /// `--web.enable-push-api`: take pushes at `/metrics/job/…` as a Pushgateway does.
    public var enablePushAPI = false
    /// `--push.expire-after`: pushed groups unchanged this long are deleted (nil: never).
    public var pushExpireAfter: PromDuration?
    /// `--push.listen-address`: a second address serving the same endpoints, for jobs that push
    /// to `pushgateway:9091` (nil: only the main address).
    public var pushListenAddress: String?
    /// `--agent`: scrape, keep the WAL and remote-write; no local queries, rules or Alertmanager.
    public var agentMode = false
    public var externalURL = ""
    /// `--alertmanager.notification-queue-capacity`.
    public var notificationQueueCapacity = 10_000
    /// `--rules.alert.for-outage-tolerance`, `--rules.alert.for-grace-period`, `--rules.alert.resend-delay`.
    public var forOutageTolerance = PromDuration(milliseconds: 3_600_000)
    public var forGracePeriod = PromDuration(milliseconds: 600_000)
    public var resendDelay = PromDuration(milliseconds: 60_000)
    /// `--web.dashboards-dir`: Grafana dashboards the web UI draws.
    public var dashboardsDirectory = "dashboards"
    /// `--alertmanager.config.file`: the embedded Alertmanager's configuration.
    public var alertmanagerConfigFile = "configs/alertmanager.yml"
    /// A missing default file means the embedded default (keep alerts, notify nobody).
    public var alertmanagerConfigFileIsDefault = true
    /// Whether Vigil runs its own Alertmanager (`--alertmanager.disable` turns it off).
    public var alertmanagerEnabled = true
    /// Query limits: `--query.timeout`, `--query.max-samples`, `--query.lookback-delta`, `--query.max-concurrency`.
    public var query = QueryOptions()
    /// `--query.max-concurrency`: queries evaluated at once; others wait their turn.
    public var queryMaxConcurrency = 20
    /// `--query.max-queue`: queries that may wait for a slot; beyond it they get 503 at once.
    public var queryMaxQueue = 200
    /// `--web.config.file`: TLS, basic auth and headers for every endpoint.
    public var webConfigFile: String?
    /// `--web.max-connections`: connections served at once; more wait in the listen backlog.
    public var webMaxConnections = 512
    /// `--web.read-timeout`: how long a connection may sit idle before it is closed.
    public var webReadTimeout: Duration = .seconds(300)
    /// `--web.cors.origin`: origins whose browsers may call the API.
    public var webCORSOrigin: AnchoredRegex? = try? AnchoredRegex(".*")
    /// `--storage.tsdb.wal-compression`: Snappy-compress WAL records.
    public var walCompression = true
    /// `--storage.tsdb.wal-segment-size`: bytes at which a WAL segment is cut.
    public var walSegmentSize = 128 << 20
    /// How often storage maintenance (cutting blocks, retention, snapshots) runs.
    public var maintenanceInterval: Duration = .seconds(60)
    /// `--storage.tsdb.min-block-duration`: the range of a block cut from the head.
    public var blockRange = PromDuration(milliseconds: 2 * 3_600_000)
    /// `--storage.tsdb.max-block-duration`: the largest block compaction makes (nil: a tenth of
    /// the retention time, at most 31 days).
    public var maxBlockRange: PromDuration?
    /// `--storage.tsdb.retention.rules`: shorter retentions for the series some selectors pick.
    public var retentionRules: [RetentionRule] = []

    public init() {}

    /// Host and port from `listenAddress` (`:9090` means all interfaces).
    public var hostAndPort: (host: String, port: Int)? { Self.hostAndPort(listenAddress) }

    /// `--alertmanager.listen-address`: a second address that serves the same endpoints, so a
    /// stack whose Prometheus and Grafana talk to `alertmanager:9093` finds Vigil's Alertmanager
    /// there (nil: only the main address).
    public var alertmanagerListenAddress: String?

    /// How often the configuration files are checked for changes (zero: never).
    public var configAutoReloadInterval: Duration = .seconds(30)

    /// `host:port` (`:port` for every interface, `[v6]:port`) split, or nil when malformed.
    public static func hostAndPort(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(address[..<colon])
        if host.isEmpty { host = "0.0.0.0" }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    /// Every flag's text as given (or defaulted), as `/api/v1/status/flags` reports them.
    public var flags: [String: String] = [:]
}
