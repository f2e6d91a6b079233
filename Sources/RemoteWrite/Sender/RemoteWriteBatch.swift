import MetricModel
import Snappy
import SwiftProtobuf
import TSDB

/// Samples bound for one request: each series' labels once, then the samples pointing at them
/// (no heap object per sample), and where in the WAL the earliest of them was read.
package struct RemoteWriteBatch: Sendable {
    /// One sample of the batch: an index into ``series``, a timestamp and a value.
    package struct Sample: Sendable, Equatable {
        package var series: Int32
        package var t: Int64
        package var v: Double
    }

    package var id = 0
    package var series: [Labels] = []
    package var samples: [Sample] = []
    /// The start of the earliest WAL record with a sample here: progress never passes it
    /// until the batch is sent.
    package var start: WALPosition?
    /// When the first sample was added (for `batch_send_deadline`).
    package var opened: ContinuousClock.Instant?
    private var seriesIndex: [SeriesRef: Int32] = [:]

    package init() {}

    package var count: Int { samples.count }

    /// Adds a sample of `ref` (whose labels, once relabelled, are `labels`) read from the
    /// record starting at `start`.
    package mutating func add(ref: SeriesRef, labels: Labels, t: Int64, v: Double, start: WALPosition) {
        if self.start == nil {
            self.start = start
            opened = .now
        }
        let index: Int32
        if let known = seriesIndex[ref] {
            index = known
        } else {
            index = Int32(truncatingIfNeeded: series.count)
            seriesIndex[ref] = index
            series.append(labels)
        }
        samples.append(Sample(series: index, t: t, v: v))
    }

    /// The batch so far, leaving this one empty.
    package mutating func take(id: Int) -> RemoteWriteBatch {
        var out = self
        out.id = id
        out.seriesIndex = [:]
        self = RemoteWriteBatch()
        return out
    }

    /// The newest timestamp in the batch.
    package var newestTimestamp: Int64 { samples.lazy.map(\.t).max() ?? .min }

    /// The samples no older than `cutoff` (`sample_age_limit`); returns how many were removed.
    package mutating func dropSamples(olderThan cutoff: Int64) -> Int {
        let before = samples.count
        samples.removeAll { $0.t < cutoff }
        return before - samples.count
    }

    /// The remote-write 1.0 body: a snappy-compressed protobuf `WriteRequest`, one
    /// `TimeSeries` per series with its samples in the order they were read.
    package func encoded() -> [UInt8] {
        var perSeries = [[Vigil_Remotewrite_V1_Sample]](repeating: [], count: series.count)
        for s in samples {
            var sample = Vigil_Remotewrite_V1_Sample()
            sample.timestamp = s.t
            sample.value = s.v
            perSeries[Int(s.series)].append(sample)
        }
        var request = Vigil_Remotewrite_V1_WriteRequest()
        request.timeseries.reserveCapacity(series.count)
        for (labels, samples) in zip(series, perSeries) where !samples.isEmpty {
            var ts = Vigil_Remotewrite_V1_TimeSeries()
            ts.labels = labels.pairs.map { pair in
                var l = Vigil_Remotewrite_V1_Label()
                l.name = pair.name
                l.value = pair.value
                return l
            }
            ts.samples = samples
            request.timeseries.append(ts)
        }
        let bytes: [UInt8] = (try? request.serializedBytes()) ?? []
        return Snappy.encode(bytes)
    }
}
