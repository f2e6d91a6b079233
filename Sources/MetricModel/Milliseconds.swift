/// Times and durations from outside (queries, API parameters, scraped and remote-written
/// samples, WAL files) in milliseconds, converted without traps and kept in a range where the
/// arithmetic done on them later cannot overflow.
///
/// The range is ±2^50 ms, about ±35,700 years around 1970. A query combines at most a few
/// thousand such values along one path (times, offsets, ranges and steps of nested subqueries,
/// bounded by the parser's nesting limit), so every sum stays far inside `Int64`.
public enum Milliseconds {
    /// The largest magnitude of a time or duration Vigil accepts from outside.
    public static let limit: Int64 = 1 << 50

    /// Whether `ms` is within ±``limit``.
    @inlinable
    public static func isInRange(_ ms: Int64) -> Bool { ms >= -limit && ms <= limit }

    /// `seconds` in milliseconds, rounded to the nearest; nil for NaN, infinities and
    /// magnitudes beyond ``limit``.
    public static func fromSeconds(_ seconds: Double) -> Int64? {
        let ms = (seconds * 1000).rounded()
        guard ms.isFinite, abs(ms) <= Double(limit) else { return nil }
        return Int64(ms)
    }
}
