import MetricModel

/// Replay's steps on the head's locked state: the head takes its lock once per snapshot or WAL
/// segment and calls these for every record.
extension Head {
    /// Restores a series under a fixed reference (WAL replay and snapshots).
    func restoreSeries(_ ref: SeriesRef, _ labels: Labels, in s: inout State) -> SeriesRef {
        if let existing = s.byLabels[labels] { return existing }
        let interned = s.interner.intern(labels)
        let index = Int(ref) - 1
        guard index >= 0, index < 1 << 40 else { return 0 }
        if s.series.count <= index {
            s.series.append(contentsOf: repeatElement(nil, count: index + 1 - s.series.count))
            s.hot.append(contentsOf: repeatElement(SeriesHot(), count: index + 1 - s.hot.count))
        }
        s.series[index] = MemSeries(ref: ref, labels: interned)
        s.hot[index] = SeriesHot()
        s.hot[index].alive = true
        s.byLabels[interned] = ref
        s.index.add(ref, interned)
        return ref
    }

    /// Applies a replayed sample without logging; out-of-order ones are skipped.
    func replay(_ sample: RefSample, refMap: [SeriesRef: SeriesRef], in s: inout State) -> Bool {
        let ref = refMap[sample.ref] ?? sample.ref
        let idx = Int(ref) - 1
        guard idx >= 0, idx < s.hot.count, s.hot[idx].alive, sample.t > s.hot[idx].maxTime else { return false }
        s.series[idx]?.append(t: sample.t, v: sample.v)
        s.hot[idx].maxTime = sample.t
        s.hot[idx].lastValueBits = sample.v.bitPattern
        if sample.t > s.maxTime { s.maxTime = sample.t }
        return true
    }
}
