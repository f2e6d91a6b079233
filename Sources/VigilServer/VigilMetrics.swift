import Alertmanager
import Notifier
import Prometheus
import Push
import RemoteWrite
import Rules
import Scrape
import Synchronization
import TSDB

/// Vigil's own metrics, exposed on `/metrics` in the Prometheus text format.
///
/// Names follow Prometheus' where the meaning is the same, so existing dashboards work.
public final class VigilMetrics: ScrapeMetrics, Sendable {
    public let registry = PrometheusCollectorRegistry()

    private let scrapeDurationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private let jobMetrics = Mutex<[String: JobMetrics]>([:])

    private struct JobMetrics: Sendable {
        var duration: ValueHistogram
        var failures: Counter
        var scrapes: Counter
    }

    let samplesAppended: Counter
    let samplesRejected: Counter
    let activeSeries: Gauge
    let chunkBytes: Gauge
    let walBytes: Gauge
    let walFsync: ValueHistogram
    let walWritesFailed: Counter
    let walCorruptions: Gauge
    let reloadSuccess: Gauge
    let reloadSuccessTime: Gauge
    let reloadFailures: Counter
    // Mirrors of counts kept by the rule manager and the notifier, refreshed at each render.
    let missedIterations: Gauge
    let notificationsSent: Gauge
    let notificationsErrors: Gauge
    let notificationsDropped: Gauge
    let notificationQueueLength: Gauge
    let notificationQueueCapacity: Gauge
    let storage: StorageMetrics

    public init() {
        samplesAppended = registry.makeCounter(descriptor: Self.descriptor("vigil_tsdb_head_samples_appended_total", "Samples appended to the head."))
        missedIterations = registry.makeGauge(descriptor: Self.descriptor("vigil_rule_group_iterations_missed_total", "Rule group evaluations skipped because an evaluation ran late."))
        notificationsSent = registry.makeGauge(descriptor: Self.descriptor("vigil_notifications_sent_total", "Alerts sent to Alertmanagers (per Alertmanager instance)."))
        notificationsErrors = registry.makeGauge(descriptor: Self.descriptor("vigil_notifications_errors_total", "Alerts whose sending to an Alertmanager failed."))
        notificationsDropped = registry.makeGauge(descriptor: Self.descriptor("vigil_notifications_dropped_total", "Alerts dropped because the notification queue was full."))
        notificationQueueLength = registry.makeGauge(descriptor: Self.descriptor("vigil_notifications_queue_length", "Alerts waiting to be sent."))
        notificationQueueCapacity = registry.makeGauge(descriptor: Self.descriptor("vigil_notifications_queue_capacity", "Capacity of the notification queue."))
        samplesRejected = registry.makeCounter(descriptor: Self.descriptor("vigil_tsdb_out_of_order_samples_total", "Samples rejected as out of order, duplicate or out of bounds."))
        activeSeries = registry.makeGauge(descriptor: Self.descriptor("vigil_tsdb_head_series", "Series in the head."))
        chunkBytes = registry.makeGauge(descriptor: Self.descriptor("vigil_tsdb_head_chunks_bytes", "Bytes of compressed chunks in the head."))
        walBytes = registry.makeGauge(descriptor: Self.descriptor("vigil_tsdb_wal_storage_size_bytes", "Bytes of WAL segments on disk."))
        walFsync = registry.makeValueHistogram(descriptor: Self.descriptor("vigil_tsdb_wal_fsync_duration_seconds", "Duration of WAL fsync calls."), buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1])
        walWritesFailed = registry.makeCounter(descriptor: Self.descriptor("vigil_tsdb_wal_writes_failed_total", "WAL writes that failed (full or failing disk); their samples were refused."))
        walCorruptions = registry.makeGauge(descriptor: Self.descriptor("vigil_tsdb_wal_corruptions", "Damaged WAL records or snapshots found at the last replay."))
        reloadSuccess = registry.makeGauge(descriptor: Self.descriptor("vigil_config_last_reload_successful", "Whether the last configuration reload succeeded."))
        reloadSuccessTime = registry.makeGauge(descriptor: Self.descriptor("vigil_config_last_reload_success_timestamp_seconds", "Time of the last successful configuration reload."))
        reloadFailures = registry.makeCounter(descriptor: Self.descriptor("vigil_config_reload_failures_total", "Failed configuration reloads."))
        storage = StorageMetrics(registry: registry)
    }

    private func job(_ name: String) -> JobMetrics {
        jobMetrics.withLock { m in
            if let existing = m[name] { return existing }
            let labels = [("job", name)]
            let j = JobMetrics(
                duration: registry.makeValueHistogram(descriptor: Self.descriptor("vigil_scrape_duration_seconds", "Duration of scrapes by job."), labels: labels, buckets: scrapeDurationBuckets),
                failures: registry.makeCounter(descriptor: Self.descriptor("vigil_scrape_failures_total", "Failed scrapes by job."), labels: labels),
                scrapes: registry.makeCounter(descriptor: Self.descriptor("vigil_scrapes_total", "Scrapes by job."), labels: labels))
            m[name] = j
            return j
        }
    }

    public func observe(job name: String, seconds: Double, failed: Bool, samples: Int, rejected: Int) {
        let j = job(name)
        j.duration.record(seconds)
        j.scrapes.increment()
        if failed { j.failures.increment() }
    }

    public func observeFsync(_ seconds: Double) { walFsync.record(seconds) }

    /// A metric name as one piece (the descriptor's other parts empty).
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private struct RuleGroupMetrics: Sendable {
        var lastDuration: Gauge
        var rules: Gauge
        var lastEvaluation: Gauge
        var failingRules: Gauge
    }

    private let ruleGroupMetrics = Mutex<[String: RuleGroupMetrics]>([:])
    /// `vigil_target_counter_resets_suspicious` per target (`VigilMetrics+Targets.swift`).
    let targetGauges = Mutex<[TargetKey: Gauge]>([:])

    private func ruleGroup(_ key: String) -> RuleGroupMetrics {
        ruleGroupMetrics.withLock { m in
            if let g = m[key] { return g }
            let labels = [("rule_group", key)]
            let g = RuleGroupMetrics(
                lastDuration: registry.makeGauge(descriptor: Self.descriptor("vigil_rule_group_last_duration_seconds", "Duration of the group's last evaluation."), labels: labels),
                rules: registry.makeGauge(descriptor: Self.descriptor("vigil_rule_group_rules", "Rules in the group."), labels: labels),
                lastEvaluation: registry.makeGauge(descriptor: Self.descriptor("vigil_rule_group_last_evaluation_timestamp_seconds", "When the group was last evaluated."), labels: labels),
                failingRules: registry.makeGauge(descriptor: Self.descriptor("vigil_rule_group_failing_rules", "Rules whose last evaluation failed."), labels: labels))
            m[key] = g
            return g
        }
    }

    /// Rule groups' timings and health, as `prometheus_rule_group_*` report them (per `file;group`).
    func observe(rules: RuleManager) {
        for g in rules.groups {
            let m = ruleGroup(g.file + ";" + g.group.name)
            m.lastDuration.set(to: g.evaluationSeconds)
            m.rules.set(to: Double(g.group.rules.count))
            m.lastEvaluation.set(to: Double(g.lastEvaluation ?? 0) / 1000)
            m.failingRules.set(to: Double(g.health.filter { $0.status == .err }.count))
        }
        missedIterations.set(to: Double(rules.missedIterations))
    }

    /// The notifier's counters and queue, as `prometheus_notifications_*` report them.
    func observe(notifier: Notifier) {
        let c = notifier.counters
        notificationsSent.set(to: Double(c.sent))
        notificationsErrors.set(to: Double(c.errors))
        notificationsDropped.set(to: Double(c.dropped))
        notificationQueueLength.set(to: Double(notifier.queueLength))
        notificationQueueCapacity.set(to: Double(notifier.queueCapacity))
    }

    public func recordReload(success: Bool, at seconds: Double) {
        reloadSuccess.set(to: success ? 1.0 : 0.0)
        if success { reloadSuccessTime.set(to: seconds) } else { reloadFailures.increment() }
    }

    /// Refreshes gauges that are read from storage, then renders everything.
    package func render(database: Database?, replay: WALReplayProgress.Snapshot? = nil, rules: RuleManager? = nil, notifier: Notifier? = nil,
                       alertmanager: EmbeddedAlertmanager? = nil, scrapes: ScrapeManager? = nil, targets: TargetsSnapshot? = nil,
                       remoteWrite: RemoteWriteSender? = nil, push: PushGateway? = nil) -> [UInt8] {
        if let alertmanager { observe(alertmanager: alertmanager) }
        if let push { observe(push: push) }
        if let remoteWrite { observe(remoteWrite: remoteWrite, database: database) }
        if let scrapes { observe(discovery: scrapes.discoveryStats) }
        if let targets { observe(targets: targets) }
        if let rules { observe(rules: rules) }
        if let notifier { observe(notifier: notifier) }
        if let replay { observe(replay: replay) }
        if let db = database {
            observe(blocks: db)
            activeSeries.set(to: Double(db.head.seriesCount))
            chunkBytes.set(to: Double(db.head.chunkBytes))
            walBytes.set(to: Double(db.walBytes))
            walCorruptions.set(to: Double(db.head.stats.walCorruptions.load(ordering: .relaxed)))
            let walFailures = db.head.stats.walWriteFailures.load(ordering: .relaxed)
            let appended = db.head.stats.samplesAppended.load(ordering: .relaxed)
            let rejected = db.head.stats.outOfOrder.load(ordering: .relaxed) + db.head.stats.duplicates.load(ordering: .relaxed)
                + db.head.stats.outOfBounds.load(ordering: .relaxed) + db.head.stats.invalidHistograms.load(ordering: .relaxed)
            // Counters mirror the head's atomics: add only what grew since the last render.
            mirrored.withLock { last in
                if appended > last.appended { samplesAppended.increment(by: Int64(appended - last.appended)) }
                if rejected > last.rejected { samplesRejected.increment(by: Int64(rejected - last.rejected)) }
                if walFailures > last.walFailures { walWritesFailed.increment(by: Int64(walFailures - last.walFailures)) }
                last = (appended, rejected, walFailures)
            }
        }
        return registry.emitToBuffer()
    }

    private let mirrored = Mutex<(appended: Int, rejected: Int, walFailures: Int)>((0, 0, 0))
}
