/// An open-addressing set of positions in some array, keyed by a 32-bit hash of what sits at each
/// position; the caller decides which candidate is the one it looks for. Eight bytes a bucket, at
/// most half full.
///
/// Each bucket holds the hash above the position plus one; 0 is an empty bucket. Removal shifts
/// the following entries back (no tombstones), so a table under churn keeps its probe sequences
/// short. The head finds series by their labels and label strings by their text this way.
struct HashSlotTable: Sendable {
    private var buckets: [UInt64]
    private var mask: Int
    /// Positions in the table.
    private(set) var count = 0

    init(capacity: Int = 0) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        buckets = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// The first position stored under `hash` that `matches` accepts.
    @inline(__always)
    func find(hash: UInt32, where matches: (Int) -> Bool) -> Int? {
        let h = UInt64(hash)
        var b = Int(h) & mask
        while true {
            let entry = buckets[b]
            if entry == 0 { return nil }
            if entry >> 32 == h, matches(Int(entry & 0xFFFF_FFFF) - 1) { return Int(entry & 0xFFFF_FFFF) - 1 }
            b = (b + 1) & mask
        }
    }

    /// Adds `position` (below 2^32 - 1) under `hash`; the caller has checked it is not there.
    mutating func insert(_ position: Int, hash: UInt32) {
        let h = UInt64(hash)
        var b = Int(h) & mask
        while buckets[b] != 0 { b = (b + 1) & mask }
        buckets[b] = h << 32 | UInt64(truncatingIfNeeded: position + 1)
        count += 1
        if count * 2 > buckets.count { rebuild(size: buckets.count * 2) }
    }

    /// Removes `position`, stored under `hash`; nothing when it is not there.
    mutating func remove(_ position: Int, hash: UInt32) {
        let h = UInt64(hash)
        let wanted = h << 32 | UInt64(truncatingIfNeeded: position + 1)
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

    /// Gives memory back after many entries left: a table over eight times its count shrinks to
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
