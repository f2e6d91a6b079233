/// Prometheus' staleness marker: a NaN with a fixed bit pattern, distinct from an ordinary NaN.
public enum StaleNaN {
    public static let bits: UInt64 = 0x7FF0_0000_0000_0002
    public static let value = Double(bitPattern: bits)

    /// Whether `v` is the staleness marker (an ordinary NaN is not).
    @inline(__always)
    public static func isStale(_ v: Double) -> Bool { v.bitPattern == bits }
}
