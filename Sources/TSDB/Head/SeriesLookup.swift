import MetricModel

/// Finds a head series by its labels without holding the labels a second time: slots keyed by
/// the labels' precomputed hash, each candidate checked against the labels in the series table.
/// Eight bytes a bucket, at most half full — where a `[Labels: SeriesRef]` cost about 120 bytes
/// a series.
struct SeriesLookup: Sendable {
    private var table = HashSlotTable()

    /// Series in the table.
    var count: Int { table.count }

    private static func hash(_ labels: Labels) -> UInt32 { UInt32(truncatingIfNeeded: labels.precomputedHash) }

    /// The slot of the series with exactly these labels.
    func slot(of labels: Labels, in series: [MemSeries?], symbols: SymbolTable) -> Int? {
        table.find(hash: Self.hash(labels)) { slot in
            slot < series.count && series[slot]?.labels.equals(labels, in: symbols) == true
        }
    }

    /// Adds the series in `slot` (whose labels the table does not hold yet).
    mutating func insert(slot: Int, labels: Labels) { table.insert(slot, hash: Self.hash(labels)) }

    /// Removes the series in `slot`, which has these labels; nothing when it is not there.
    mutating func remove(slot: Int, labels: Labels) { table.remove(slot, hash: Self.hash(labels)) }

    /// Gives memory back after many series left.
    mutating func shrinkIfSparse() { table.shrinkIfSparse() }
}
