import MetricModel

/// Where series live in the head's table, and how churn is kept from growing it.
///
/// A reference is a slot in the table plus one (its low 32 bits) and a generation (its high 32
/// bits). A dropped series frees its slot for the next new one, which gets the next generation,
/// so the table is as long as the most series ever live at once, while a reference, once given
/// out, never names another series: a scrape cache or a remote-write queue holding the reference
/// of a dropped series finds it gone, not replaced. The first series in a slot has generation 0,
/// so its reference is the slot plus one, as references were before slots were reused.
extension Head {
    /// The slot a reference points at; nil for references with no slot (0).
    static func slot(of ref: SeriesRef) -> Int? {
        let low = ref & 0xFFFF_FFFF
        guard low > 0 else { return nil }
        return Int(low) - 1
    }

    /// The slot of `ref` when it names a series the head holds now.
    static func liveSlot(of ref: SeriesRef, in s: borrowing State) -> Int? {
        guard let i = slot(of: ref), i < s.hot.count, s.hot[i].ref == ref else { return nil }
        return i
    }

    /// A slot for a new series, and its reference: a freed slot under a fresh generation, or a
    /// new slot at the end.
    static func allocateSlot(in s: inout State) -> (slot: Int, ref: SeriesRef) {
        // Past 2^31 reuses (decades of heavy churn) slots are only appended, never reused.
        if s.nextGeneration < 1 << 31, let free = s.freeSlots.popLast() {
            let ref = s.nextGeneration << 32 | SeriesRef(free + 1)
            s.nextGeneration += 1
            return (free, ref)
        }
        s.series.append(nil)
        s.hot.append(SeriesHot())
        return (s.series.count - 1, SeriesRef(s.series.count))
    }

    /// Puts a series in `slot` under `ref` (the caller has allocated or checked the slot); its
    /// label strings are counted in the symbol table.
    static func place(_ ref: SeriesRef, _ labels: Labels, at slot: Int, in s: inout State) {
        let interned = s.symbols.intern(labels)
        s.series[slot] = MemSeries(ref: ref, labels: interned)
        s.hot[slot] = SeriesHot()
        s.hot[slot].ref = ref
        s.lookup.insert(slot: slot, labels: labels)
        s.index.add(ref, interned, symbols: s.symbols)
    }

    /// Empties `slot` and offers it to the next new series; label strings no other series uses go.
    static func free(_ slot: Int, in s: inout State) {
        if let labels = s.series[slot]?.labels {
            s.lookup.remove(slot: slot, labels: s.symbols.labels(of: labels))
            s.symbols.release(labels)
        }
        s.series[slot] = nil
        s.hot[slot] = SeriesHot()
        s.freeSlots.append(slot)
    }

    /// Collects the empty slots a replay left (series restored under their old references leave
    /// the slots of series that were dropped before the restart).
    static func collectFreeSlots(in s: inout State) {
        s.freeSlots = s.series.indices.reversed().filter { s.series[$0] == nil }
    }
}

extension Head {
    /// Slots in the series table, live or empty: bounded by the most series live at once.
    var seriesSlots: Int { withState { $0.series.count } }
}
