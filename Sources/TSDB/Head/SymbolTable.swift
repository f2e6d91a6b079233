import MetricModel

/// Every label name and value of the head's series, each held once under a 32-bit id, with the
/// number of label slots that use it. A string goes when its last series leaves the head, and its
/// id is given to the next new string, so churn neither grows the table nor the ids.
///
/// Series keep ids (``InternedLabels``) instead of strings: eight bytes a label pair where a
/// pair of Swift strings in a label array took thirty-two, and a long value (a pod name, a URL)
/// is stored once however many series carry it.
struct SymbolTable: Sendable {
    /// The strings by id; a free id holds the empty string.
    private(set) var strings: [String] = []
    /// Label slots using each id; 0 for a free id.
    private var uses: [Int] = []
    private var freeIDs: [UInt32] = []
    private var table = HashSlotTable()

    /// Strings held.
    var count: Int { table.count }

    private static func hash(_ s: String) -> UInt32 { UInt32(truncatingIfNeeded: s.hashValue) }

    /// The string of a live id.
    subscript(id: UInt32) -> String { strings[Int(id)] }

    /// The id of `s`, when some series uses it.
    func id(of s: String) -> UInt32? {
        table.find(hash: Self.hash(s)) { strings[$0] == s }.map { UInt32(truncatingIfNeeded: $0) }
    }

    /// The id of `s`, added when new, counting one more use.
    mutating func retain(_ s: String) -> UInt32 {
        let hash = Self.hash(s)
        if let found = table.find(hash: hash, where: { strings[$0] == s }) {
            uses[found] += 1
            return UInt32(truncatingIfNeeded: found)
        }
        let id: Int
        if let free = freeIDs.popLast() {
            id = Int(free)
            strings[id] = s
            uses[id] = 1
        } else {
            id = strings.count
            strings.append(s)
            uses.append(1)
        }
        table.insert(id, hash: hash)
        return UInt32(truncatingIfNeeded: id)
    }

    /// Counts one use fewer of `id`; the string goes with its last use.
    mutating func release(_ id: UInt32) {
        let i = Int(id)
        guard i < uses.count, uses[i] > 0 else { return }
        uses[i] -= 1
        guard uses[i] == 0 else { return }
        table.remove(i, hash: Self.hash(strings[i]))
        strings[i] = ""
        freeIDs.append(id)
    }

    /// Labels as ids, each string counted once more.
    mutating func intern(_ labels: Labels) -> InternedLabels {
        var ids = ContiguousArray<UInt32>()
        ids.reserveCapacity(labels.count * 2)
        for p in labels.pairs {
            ids.append(retain(p.name))
            ids.append(retain(p.value))
        }
        return InternedLabels(ids: ids)
    }

    /// Counts one use fewer of every string of `labels` (a series leaving the head).
    mutating func release(_ labels: InternedLabels) {
        labels.ids.withUnsafeBufferPointer { for id in $0 { release(id) } }
    }

    /// The label set the ids stand for.
    func labels(of interned: InternedLabels) -> Labels {
        var pairs: [Label] = []
        pairs.reserveCapacity(interned.count)
        interned.ids.withUnsafeBufferPointer { ids in
            var i = 0
            while i + 1 < ids.count {
                pairs.append(Label(strings[Int(ids[i])], strings[Int(ids[i + 1])]))
                i += 2
            }
        }
        return Labels(sorted: pairs)
    }

    /// Gives the hash table's memory back after many strings left. The id arrays keep their
    /// length (the most strings ever live at once), as the series table keeps its slots.
    mutating func shrinkIfSparse() { table.shrinkIfSparse() }
}
