import Synchronization

/// A queue's counters, read by Vigil's `/metrics` under Prometheus' names
/// (`prometheus_remote_storage_*`).
package final class RemoteWriteStats: Sendable {
    package let name: String
    package let url: String
    /// Samples the receiver accepted.
    package let samplesSent = Atomic<Int>(0)
    /// Samples in batches the receiver refused for good (4xx) or that outlived `sample_age_limit`.
    package let samplesFailed = Atomic<Int>(0)
    /// Samples in attempts that are being retried.
    package let samplesRetried = Atomic<Int>(0)
    /// Samples dropped by `write_relabel_configs` (or whose series is unknown).
    package let samplesDropped = Atomic<Int>(0)
    /// Samples read from the WAL and not yet sent or given up.
    package let samplesPending = Atomic<Int>(0)
    /// Samples read from the WAL.
    package let samplesRead = Atomic<Int>(0)
    package let bytesSent = Atomic<Int>(0)
    /// Requests sent and their total duration, for the send-time-per-sample estimate.
    package let requests = Atomic<Int>(0)
    package let requestNanoseconds = Atomic<Int>(0)
    /// The newest sample timestamp (ms) the receiver accepted.
    package let highestSentTimestamp = Atomic<Int64>(0)
    package let shards = Atomic<Int>(0)
    package let desiredShards = Atomic<Int>(0)
    /// The WAL segment being read.
    package let currentSegment = Atomic<Int>(0)

    package init(name: String, url: String) {
        self.name = name
        self.url = url
    }

    /// Records an accepted request.
    func recordSent(samples: Int, bytes: Int, newest: Int64, took: Duration) {
        samplesSent.add(samples, ordering: .relaxed)
        bytesSent.add(bytes, ordering: .relaxed)
        requests.add(1, ordering: .relaxed)
        let (seconds, atto) = took.components
        requestNanoseconds.add(Int(clamping: seconds &* 1_000_000_000 &+ atto / 1_000_000_000), ordering: .relaxed)
        var current = highestSentTimestamp.load(ordering: .relaxed)
        while newest > current {
            let (exchanged, original) = highestSentTimestamp.compareExchange(expected: current, desired: newest, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
    }
}
