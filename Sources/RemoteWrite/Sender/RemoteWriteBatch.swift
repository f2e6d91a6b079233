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

    /// One native histogram sample of the batch (`send_native_histograms`).
    package struct HistogramSample: Sendable, Equatable {
        package var series: Int32
        package var t: Int64
        package var value: HistogramValue
    }

    package var id = 0
    package var series: [Labels] = []
    package var samples: [Sample] = []
    package var histograms: [HistogramSample] = []
    /// The start of the earliest WAL record with a sample here: progress never passes it
    /// until the batch is sent.
    package var start: WALPosition?
    /// When the first sample was added (for `batch_send_deadline`).
    package var opened: ContinuousClock.Instant?
    private var seriesIndex: [SeriesRef: Int32] = [:]

    package init() {}

    /// Float and histogram samples together (`max_samples_per_send` counts both, as Prometheus).
    package var count: Int { samples.count + histograms.count }

    /// Adds a sample of `ref` (whose labels, once relabelled, are `labels`) read from the
    /// record starting at `start`.
    package mutating func add(ref: SeriesRef, labels: Labels, t: Int64, v: Double, start: WALPosition) {
        let index = seriesIndex(ref, labels, start)
        samples.append(Sample(series: index, t: t, v: v))
    }

    /// Adds a native histogram sample of `ref`.
    package mutating func add(ref: SeriesRef, labels: Labels, t: Int64, histogram: HistogramValue, start: WALPosition) {
        let index = seriesIndex(ref, labels, start)
        histograms.append(HistogramSample(series: index, t: t, value: histogram))
    }

    private mutating func seriesIndex(_ ref: SeriesRef, _ labels: Labels, _ start: WALPosition) -> Int32 {
        if self.start == nil {
            self.start = start
            opened = .now
        }
        if let known = seriesIndex[ref] { return known }
        let index = Int32(truncatingIfNeeded: series.count)
        seriesIndex[ref] = index
        series.append(labels)
        return index
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
    package var newestTimestamp: Int64 { max(samples.lazy.map(\.t).max() ?? .min, histograms.lazy.map(\.t).max() ?? .min) }

    /// The samples no older than `cutoff` (`sample_age_limit`); returns how many were removed.
    package mutating func dropSamples(olderThan cutoff: Int64) -> Int {
        let before = count
        samples.removeAll { $0.t < cutoff }
        histograms.removeAll { $0.t < cutoff }
        return before - count
    }

    /// The remote-write 1.0 body: a snappy-compressed protobuf `WriteRequest`, one
    /// `TimeSeries` per series with its samples (and native histograms) in the order they were read.
    package func encoded() -> [UInt8] {
        var perSeries = [[Vigil_Remotewrite_V1_Sample]](repeating: [], count: series.count)
        for s in samples {
            var sample = Vigil_Remotewrite_V1_Sample()
            sample.timestamp = s.t
            sample.value = s.v
            perSeries[Int(s.series)].append(sample)
        }
        var histogramsPerSeries = [[Vigil_Remotewrite_V1_Histogram]](repeating: [], count: histograms.isEmpty ? 0 : series.count)
        for h in histograms { histogramsPerSeries[Int(h.series)].append(Vigil_Remotewrite_V1_Histogram(h.value, t: h.t)) }
        var request = Vigil_Remotewrite_V1_WriteRequest()
        request.timeseries.reserveCapacity(series.count)
        for (i, (labels, samples)) in zip(series, perSeries).enumerated() {
            let histograms = histogramsPerSeries.isEmpty ? [] : histogramsPerSeries[i]
            guard !samples.isEmpty || !histograms.isEmpty else { continue }
            var ts = Vigil_Remotewrite_V1_TimeSeries()
            ts.labels = labels.pairs.map { pair in
                var l = Vigil_Remotewrite_V1_Label()
                l.name = pair.name
                l.value = pair.value
                return l
            }
            ts.samples = samples
            ts.histograms = histograms
            request.timeseries.append(ts)
        }
        let bytes: [UInt8] = (try? request.serializedBytes()) ?? []
        return Snappy.encode(bytes)
    }
}
