import Prometheus
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
    let walCorruptions: Gauge
    let reloadSuccess: Gauge
    let reloadSuccessTime: Gauge
    let reloadFailures: Counter

    public init() {
        samplesAppended = registry.makeCounter(name: "vigil_tsdb_head_samples_appended_total", help: "Samples appended to the head.")
        samplesRejected = registry.makeCounter(name: "vigil_tsdb_out_of_order_samples_total", help: "Samples rejected as out of order or duplicate.")
        activeSeries = registry.makeGauge(name: "vigil_tsdb_head_series", help: "Series in the head.")
        chunkBytes = registry.makeGauge(name: "vigil_tsdb_head_chunks_bytes", help: "Bytes of compressed chunks in the head.")
        walBytes = registry.makeGauge(name: "vigil_tsdb_wal_storage_size_bytes", help: "Bytes of WAL segments on disk.")
        walFsync = registry.makeValueHistogram(name: "vigil_tsdb_wal_fsync_duration_seconds", buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], help: "Duration of WAL fsync calls.")
        walCorruptions = registry.makeGauge(name: "vigil_tsdb_wal_corruptions", help: "Damaged WAL records or snapshots found at the last replay.")
        reloadSuccess = registry.makeGauge(name: "vigil_config_last_reload_successful", help: "Whether the last configuration reload succeeded.")
        reloadSuccessTime = registry.makeGauge(name: "vigil_config_last_reload_success_timestamp_seconds", help: "Time of the last successful configuration reload.")
        reloadFailures = registry.makeCounter(name: "vigil_config_reload_failures_total", help: "Failed configuration reloads.")
    }

    private func job(_ name: String) -> JobMetrics {
        jobMetrics.withLock { m in
            if let existing = m[name] { return existing }
            let labels = [("job", name)]
            let j = JobMetrics(
                duration: registry.makeValueHistogram(name: "vigil_scrape_duration_seconds", labels: labels, buckets: scrapeDurationBuckets,
                                                      help: "Duration of scrapes by job."),
                failures: registry.makeCounter(name: "vigil_scrape_failures_total", labels: labels, help: "Failed scrapes by job."),
                scrapes: registry.makeCounter(name: "vigil_scrapes_total", labels: labels, help: "Scrapes by job."))
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

    public func recordReload(success: Bool, at seconds: Double) {
        reloadSuccess.set(to: success ? 1.0 : 0.0)
        if success { reloadSuccessTime.set(to: seconds) } else { reloadFailures.increment() }
    }

    /// Refreshes gauges that are read from storage, then renders everything.
    public func render(database: Database?) -> [UInt8] {
        if let db = database {
            activeSeries.set(to: Double(db.head.seriesCount))
            chunkBytes.set(to: Double(db.head.chunkBytes))
            walBytes.set(to: Double(db.walBytes))
            walCorruptions.set(to: Double(db.head.stats.walCorruptions.load(ordering: .relaxed)))
            let appended = db.head.stats.samplesAppended.load(ordering: .relaxed)
            let rejected = db.head.stats.outOfOrder.load(ordering: .relaxed) + db.head.stats.duplicates.load(ordering: .relaxed)
            // Counters mirror the head's atomics: add only what grew since the last render.
            mirrored.withLock { last in
                if appended > last.appended { samplesAppended.increment(by: Int64(appended - last.appended)) }
                if rejected > last.rejected { samplesRejected.increment(by: Int64(rejected - last.rejected)) }
                last = (appended, rejected)
            }
        }
        return registry.emitToBuffer()
    }

    private let mirrored = Mutex<(appended: Int, rejected: Int)>((0, 0))
}
