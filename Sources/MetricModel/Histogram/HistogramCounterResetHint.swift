/// What a native histogram sample says about a counter reset since the sample before it.
/// Storage records it per chunk (the chunk's first sample) as Prometheus does.
public enum HistogramCounterResetHint: UInt8, Sendable, Hashable {
    /// Nothing known: a reader compares with the previous sample to find out.
    case unknown = 0
    /// The counter was reset before this sample.
    case counterReset = 1
    /// No reset since the previous sample.
    case notCounterReset = 2
    /// A gauge histogram: counts go up and down, resets do not exist.
    case gauge = 3
}
