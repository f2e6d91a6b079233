/// One meaningful line of an exposition body.
public enum ExpositionEntry: Sendable, Equatable {
    /// A sample; the parser holds its labels until the next call (``ExpositionParser/labels()``).
    case sample(ExpositionSample)
    case help(metric: String, text: String)
    case type(metric: String, MetricType)
    case unit(metric: String, unit: String)
}

/// A parsed sample line, without its labels (which are materialised only when needed).
public struct ExpositionSample: Sendable, Equatable {
    /// Byte range of the series identity as written (`name{a="b"}`), usable as a cache key.
    public var seriesKey: Range<Int>
    public var value: Double
    /// Milliseconds since the epoch, when the line carried a timestamp.
    public var timestamp: Int64?
}
