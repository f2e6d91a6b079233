/// A native histogram sample's value as it is appended: integer counts (what targets expose and
/// remote write usually carries) or float counts (what recording rules and some remote-write
/// senders produce). The storage keeps each kind in its own chunk encoding.
public enum HistogramValue: Sendable, Hashable {
    case integer(NativeHistogram)
    case float(FloatHistogram)

    /// What the producer says about a counter reset before this sample.
    public var counterResetHint: HistogramCounterResetHint {
        switch self {
        case .integer(let h): return h.counterResetHint
        case .float(let h): return h.counterResetHint
        }
    }

    /// Whether this is a staleness marker (the sum is Prometheus' stale NaN).
    public var isStale: Bool {
        switch self {
        case .integer(let h): return StaleNaN.isStale(h.sum)
        case .float(let h): return StaleNaN.isStale(h.sum)
        }
    }

    /// Why the histogram cannot be stored, or nil when it is sound (a staleness marker always is).
    public var inconsistency: String? {
        if isStale { return nil }
        switch self {
        case .integer(let h): return h.inconsistency
        case .float(let h): return h.inconsistency
        }
    }

    /// The value with float counts.
    public var floatHistogram: FloatHistogram {
        switch self {
        case .integer(let h): return h.floatHistogram
        case .float(let h): return h
        }
    }

    /// Bit-for-bit equality of every float (a staleness marker's NaN sum equals itself).
    public func isIdentical(to other: HistogramValue) -> Bool {
        switch (self, other) {
        case (.integer(var a), .integer(var b)):
            guard a.sum.bitPattern == b.sum.bitPattern else { return false }
            a.sum = 0
            b.sum = 0
            return a == b
        case (.float(let a), .float(let b)):
            return a.isIdentical(to: b)
        default:
            return false
        }
    }
}
