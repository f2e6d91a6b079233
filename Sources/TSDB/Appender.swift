import MetricModel

/// The write seam: scrapes, rule evaluation and the remote-write receiver all append through it.
///
/// Samples are buffered and become visible (and durable in the WAL) only on ``commit()``.
public protocol Appender {
    /// Buffers a sample. Pass the reference an earlier call returned for the same labels to skip
    /// the label lookup; the labels are still needed in case that series has since been dropped.
    mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, v: Double) -> SeriesRef
    /// Buffers the first sample of a series the caller has no reference for, returning the
    /// reference and the labels as the storage keeps them: a caller that remembers series (the
    /// scrape cache) keeps that copy instead of its own, so each label set is held once.
    mutating func appendFirst(labels: Labels, t: Int64, v: Double) -> (ref: SeriesRef, labels: Labels)
    /// Writes the buffered samples to the WAL, then to memory; reports what was rejected.
    mutating func commit() throws(StorageIOError) -> AppendReport
    /// Discards the buffered samples.
    mutating func rollback()
}

extension Appender {
    /// Storage that keeps no copy of its own hands the caller's labels back.
    public mutating func appendFirst(labels: Labels, t: Int64, v: Double) -> (ref: SeriesRef, labels: Labels) {
        (append(ref: nil, labels: labels, t: t, v: v), labels)
    }
}

/// Something that hands out appenders.
public protocol Appendable: Sendable {
    func appender() -> any Appender
}

/// The outcome of one commit: samples are rejected one by one, never the whole batch.
public struct AppendReport: Sendable, Equatable {
    public var appended = 0
    /// Older than the newest sample of their series.
    public var outOfOrder = 0
    /// Same timestamp as the newest sample but another value.
    public var duplicate = 0
    /// Same timestamp and value as the newest sample: silently ignored, as in Prometheus.
    public var ignoredDuplicates = 0
    /// Timestamps beyond ±``Milliseconds/limit`` (about 35,700 years from 1970).
    public var outOfBounds = 0

    public init() {}

    public var rejected: Int { outOfOrder + duplicate + outOfBounds }
}
