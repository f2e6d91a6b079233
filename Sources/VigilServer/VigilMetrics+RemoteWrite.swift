import Prometheus
import RemoteWrite
import TSDB

extension VigilMetrics {
    /// Each remote-write queue under the names Prometheus gives them (`remote_name`, `url`),
    /// so existing dashboards and alerts on remote-write lag work unchanged.
    func observe(remoteWrite sender: RemoteWriteSender, database: Database?) {
        if let database {
            gauge("prometheus_remote_storage_highest_timestamp_in_seconds", "Newest sample timestamp appended to the WAL, in seconds.", [])
                .set(to: Double(max(database.head.maxTime, 0)) / 1000)
        }
        for q in sender.stats {
            let labels = [("remote_name", q.name), ("url", q.url)]
            func value(_ name: String, _ help: String, _ v: Double) { gauge(name, help, labels).set(to: v) }
            value("prometheus_remote_storage_samples_total", "Samples the receiver accepted.", Double(q.samplesSent.load(ordering: .relaxed)))
            value("prometheus_remote_storage_samples_failed_total", "Samples refused for good (4xx) or older than sample_age_limit.",
                  Double(q.samplesFailed.load(ordering: .relaxed)))
            value("prometheus_remote_storage_samples_retried_total", "Samples in failed attempts that were retried.",
                  Double(q.samplesRetried.load(ordering: .relaxed)))
            value("prometheus_remote_storage_samples_dropped_total", "Samples dropped by write_relabel_configs.",
                  Double(q.samplesDropped.load(ordering: .relaxed)))
            value("prometheus_remote_storage_samples_pending", "Samples read from the WAL and not yet sent.",
                  Double(max(0, q.samplesPending.load(ordering: .relaxed))))
            value("prometheus_remote_storage_samples_in_total", "Samples read from the WAL.", Double(q.samplesRead.load(ordering: .relaxed)))
            value("prometheus_remote_storage_bytes_total", "Compressed bytes the receiver accepted.", Double(q.bytesSent.load(ordering: .relaxed)))
            value("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", "Newest sample timestamp the receiver accepted, in seconds.",
                  Double(q.highestSentTimestamp.load(ordering: .relaxed)) / 1000)
            value("prometheus_remote_storage_shards", "Shards sending now.", Double(q.shards.load(ordering: .relaxed)))
            value("prometheus_remote_storage_shards_desired", "Shards the last measurement asked for.", Double(q.desiredShards.load(ordering: .relaxed)))
            value("prometheus_wal_watcher_current_segment", "WAL segment the queue reads.", Double(q.currentSegment.load(ordering: .relaxed)))
        }
    }
}
