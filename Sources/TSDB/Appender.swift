import MetricModel

/// The write seam: scrapes, rule evaluation and the remote-write receiver all append through it.
///
/// Samples are buffered and become visible (and durable in the WAL) only on ``commit()``.
public protocol Appender {
    /// Buffers a sample. Pass the reference an earlier call returned for the same labels to skip
    /// the label lookup; the labels are still needed in case that series has since been dropped.
    mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, v: Double) -> SeriesRef
    /// Buffers a sample for the series an earlier append returned `ref` for, without its labels:
    /// how a caller that remembers series (the scrape cache) appends while holding no label set
    /// of its own. Should that series have left the storage since, the sample is not stored and
    /// the commit hands it back in ``AppendReport/unknownSeries``, to be appended again with its
    /// labels.
    mutating func append(known ref: SeriesRef, t: Int64, v: Double)
    /// Buffers a native histogram sample, as ``append(ref:labels:t:v:)`` does a float one. A
    /// series' samples are ordered across both kinds: one timestamp holds a float or a histogram.
    mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, histogram: HistogramValue) -> SeriesRef
    /// Writes the buffered samples to the WAL, then to memory; reports what was rejected.
    mutating func commit() throws(StorageIOError) -> AppendReport
    /// Discards the buffered samples.
    mutating func rollback()
}

/// Something that hands out appenders.
public protocol Appendable: Sendable {
    func appender() -> any Appender
}

/// The outcome of one commit: samples are rejected one by one, never the whole batch.
public struct AppendReport: Sendable, Equatable {
    public var appended = 0
    /// Of ``appended``, the native histogram samples.
    public var appendedHistograms = 0
    /// Older than the newest sample of their series.
    public var outOfOrder = 0
    /// Same timestamp as the newest sample but another value.
    public var duplicate = 0
    /// Same timestamp and value as the newest sample: silently ignored, as in Prometheus.
    public var ignoredDuplicates = 0
    /// Of ``ignoredDuplicates``, the native histogram samples.
    public var ignoredDuplicateHistograms = 0
    /// Native histograms that cannot be stored (spans and buckets disagree, a count is negative,
    /// an undefined schema): refused one by one, as Prometheus refuses them.
    public var invalid = 0
    /// Timestamps beyond ±``Milliseconds/limit`` (about 35,700 years from 1970).
    public var outOfBounds = 0
    /// Samples appended by reference alone whose series the storage no longer holds (it left
    /// the head after hours without samples): not stored, for the caller to append again with
    /// their labels. Nearly always empty.
    public var unknownSeries: [RefSample] = []

    public init() {}

    public var rejected: Int { outOfOrder + duplicate + outOfBounds + invalid }

    /// Counts `other`'s outcomes in with these (a commit retried in two parts).
    public mutating func add(_ other: AppendReport) {
        appended += other.appended
        appendedHistograms += other.appendedHistograms
        ignoredDuplicateHistograms += other.ignoredDuplicateHistograms
        outOfOrder += other.outOfOrder
        duplicate += other.duplicate
        ignoredDuplicates += other.ignoredDuplicates
        outOfBounds += other.outOfBounds
        invalid += other.invalid
        unknownSeries += other.unknownSeries
    }
}
