import MetricModel

/// Replay's steps on the head's locked state: the head takes its lock once per snapshot or WAL
/// segment and calls these for every record.
extension Head {
    /// Restores a series from a snapshot or WAL record, under the record's reference when its slot
    /// is free and at most the next one, otherwise under the next free reference (the caller
    /// remaps the record's reference to the returned one). A damaged or crafted file therefore
    /// never makes the head allocate up to a huge reference, nor overwrite another series.
    func restoreSeries(_ ref: SeriesRef, _ labels: Labels, in s: inout State) -> SeriesRef {
        if let existing = s.byLabels[labels] { return existing }
        let interned = s.interner.intern(labels)
        var index = Self.slot(of: ref) ?? s.series.count
        if index > s.series.count || (index < s.series.count && s.series[index] != nil) { index = s.series.count }
        if index == s.series.count {
            s.series.append(nil)
            s.hot.append(SeriesHot())
        }
        let ref = SeriesRef(index + 1)
        s.series[index] = MemSeries(ref: ref, labels: interned)
        s.hot[index] = SeriesHot()
        s.hot[index].alive = true
        s.byLabels[interned] = ref
        s.index.add(ref, interned)
        return ref
    }

    /// Applies a replayed sample without logging; out-of-order ones are skipped.
    func replay(_ sample: RefSample, refMap: [SeriesRef: SeriesRef], in s: inout State) -> Bool {
        guard let idx = Self.slot(of: refMap[sample.ref] ?? sample.ref) else { return false }
        guard idx < s.hot.count, s.hot[idx].alive, sample.t > s.hot[idx].maxTime else { return false }
        s.series[idx]?.append(t: sample.t, v: sample.v)
        s.hot[idx].maxTime = sample.t
        s.hot[idx].lastValueBits = sample.v.bitPattern
        if sample.t > s.maxTime { s.maxTime = sample.t }
        return true
    }

    /// The array slot of a reference read from a file; nil for 0 and references beyond `Int`.
    static func slot(of ref: SeriesRef) -> Int? {
        guard ref > 0, let i = Int(exactly: ref) else { return nil }
        return i - 1
    }
}
