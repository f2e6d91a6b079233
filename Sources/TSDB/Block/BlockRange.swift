/// Block time ranges: blocks cover `[k·range, (k+1)·range)` for a range of 2 hours by default,
/// aligned to the Unix epoch as Prometheus' are, so blocks from both line up.
public enum BlockRange {
    /// Prometheus' default: two hours.
    public static let defaultMs: Int64 = 2 * 3_600_000

    /// The start of the range holding `t`.
    static func start(of t: Int64, range: Int64) -> Int64 {
        let (q, r) = t.quotientAndRemainder(dividingBy: range)
        return (r < 0 ? q - 1 : q) &* range
    }

    /// The end (exclusive) of the range holding `t`.
    static func end(of t: Int64, range: Int64) -> Int64 {
        let start = start(of: t, range: range)
        let (end, overflow) = start.addingReportingOverflow(range)
        return overflow ? .max : end
    }
}
