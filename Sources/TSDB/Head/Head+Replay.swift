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
        guard idx < s.hot.count, s.hot[idx].alive, sample.t > s.hot[idx].maxTime, sample.t >= s.minValidTime else { return false }
        s.series[idx]?.append(t: sample.t, v: sample.v, blockRange: blockRange)
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

extension Head {
    /// Applies the records of one segment of Prometheus' WAL: series get a reference of the head's
    /// own (`refs` maps Prometheus' references to them), samples of series the records declared
    /// are appended like replayed ones. Returns the samples applied.
    func importPrometheusRecords(_ records: [PrometheusWALRecord], refs: inout [UInt64: SeriesRef]) -> Int {
        withState { s in
            var applied = 0
            for record in records {
                switch record {
                case .series(let series):
                    for (prometheusRef, labels) in series where !labels.isEmpty {
                        refs[prometheusRef] = restoreSeries(0, labels, in: &s)
                    }
                case .samples(let samples):
                    for sample in samples {
                        guard let ref = refs[sample.ref] else { continue }
                        if replay(RefSample(ref: ref, t: sample.t, v: sample.v), refMap: [:], in: &s) { applied += 1 }
                    }
                case .other:
                    continue
                }
            }
            return applied
        }
    }
}
