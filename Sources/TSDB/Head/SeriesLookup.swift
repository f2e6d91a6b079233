import MetricModel

/// Finds a head series by its labels without holding the labels a second time: an open-addressing
/// table of slots keyed by the labels' precomputed hash, each candidate checked against the
/// labels in the series table. Eight bytes a bucket, at most half full — where a
/// `[Labels: SeriesRef]` cost about 120 bytes a series.
///
/// Each bucket holds the hash's low 32 bits above the slot plus one; 0 is an empty bucket.
/// Removal shifts the following entries back (no tombstones), so a table under churn keeps its
/// probe sequences short.
struct SeriesLookup: Sendable {
    private var buckets: [UInt64]
    private var mask: Int
    /// Series in the table.
    private(set) var count = 0

    init(capacity: Int = 0) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        buckets = Array(repeating: 0, count: size)
        mask = size - 1
    }

    private static func hashBits(_ labels: Labels) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: labels.precomputedHash))
    }

    /// The slot of the series with exactly these labels.
    func slot(of labels: Labels, in series: borrowing [MemSeries?]) -> Int? {
        let h = Self.hashBits(labels)
        var b = Int(h) & mask
        while true {
            let entry = buckets[b]
            if entry == 0 { return nil }
            if entry >> 32 == h {
                let slot = Int(entry & 0xFFFF_FFFF) - 1
                if slot < series.count, series[slot]?.labels == labels { return slot }
            }
            b = (b + 1) & mask
        }
    }

    /// Adds the series in `slot` (whose labels the table does not hold yet).
    mutating func insert(slot: Int, labels: Labels) {
        let h = Self.hashBits(labels)
        var b = Int(h) & mask
        while buckets[b] != 0 { b = (b + 1) & mask }
        buckets[b] = h << 32 | UInt64(slot + 1)
        count += 1
        if count * 2 > buckets.count { rebuild(size: buckets.count * 2) }
    }

    /// Removes the series in `slot`, which has these labels; nothing when it is not there.
    mutating func remove(slot: Int, labels: Labels) {
        let h = Self.hashBits(labels)
        let wanted = h << 32 | UInt64(slot + 1)
        var i = Int(h) & mask
        while buckets[i] != wanted {
            if buckets[i] == 0 { return }
            i = (i + 1) & mask
        }
        // Later entries of the run move back into the hole unless their home lies after it.
        var j = i
        while true {
            j = (j + 1) & mask
            let entry = buckets[j]
            if entry == 0 { break }
            let home = Int(entry >> 32) & mask
            let staysPut = i <= j ? (i < home && home <= j) : (i < home || home <= j)
            if !staysPut {
                buckets[i] = entry
                i = j
            }
        }
        buckets[i] = 0
        count -= 1
    }

    /// Gives memory back after many series left: a table over eight times its count shrinks to
    /// a quarter full.
    mutating func shrinkIfSparse() {
        guard buckets.count > 16, count * 8 < buckets.count else { return }
        var size = 16
        while size < count * 4 { size *= 2 }
        rebuild(size: size)
    }

    private mutating func rebuild(size: Int) {
        let old = buckets
        buckets = Array(repeating: 0, count: size)
        mask = size - 1
        for entry in old where entry != 0 {
            var b = Int(entry >> 32) & mask
            while buckets[b] != 0 { b = (b + 1) & mask }
            buckets[b] = entry
        }
    }
}
