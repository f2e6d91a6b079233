import MetricModel

/// Replay's steps on the head's locked state: the head takes its lock once per snapshot or WAL
/// segment and calls these for every record.
extension Head {
    /// Restores a series from a snapshot or WAL record, under the record's reference when its slot
    /// is free and within twice the table's length, otherwise under a new slot at the end (the
    /// caller remaps the record's reference to the returned one). A damaged or crafted file
    /// therefore never makes the head allocate up to a huge reference, nor overwrite another series.
    func restoreSeries(_ ref: SeriesRef, _ labels: Labels, in s: inout State) -> SeriesRef {
        if let slot = s.lookup.slot(of: labels, in: s.series, symbols: s.symbols) { return s.hot[slot].ref }
        // Even remapped, a reference from the file keeps later generations from repeating it.
        let generation = ref >> 32
        if generation >= s.nextGeneration, generation < 1 << 31 { s.nextGeneration = generation + 1 }
        // A slot past the end is taken when the table at most doubles to reach it (the slots
        // between are collected as free after replay); further out is a damaged or crafted file.
        let reach = 2 * s.series.count + 1024
        if let slot = Self.slot(of: ref), slot < reach, slot >= s.series.count || s.series[slot] == nil {
            while slot >= s.series.count {
                s.series.append(nil)
                s.hot.append(SeriesHot())
            }
            // Free slots are collected once replay is over; none is handed out meanwhile.
            Self.place(ref, labels, at: slot, in: &s)
            return ref
        }
        s.series.append(nil)
        s.hot.append(SeriesHot())
        let fresh = SeriesRef(s.series.count)
        Self.place(fresh, labels, at: s.series.count - 1, in: &s)
        return fresh
    }

    /// Applies a replayed sample without logging; out-of-order ones are skipped.
    func replay(_ sample: RefSample, refMap: [SeriesRef: SeriesRef], in s: inout State) -> Bool {
        guard let idx = Self.liveSlot(of: refMap[sample.ref] ?? sample.ref, in: s) else { return false }
        guard sample.t > s.hot[idx].maxTime, sample.t >= s.minValidTime else { return false }
        if s.series[idx]?.append(t: sample.t, v: sample.v, blockRange: blockRange) == true { s.unmappedSlots.append(idx) }
        s.hot[idx].maxTime = sample.t
        s.hot[idx].lastValueBits = sample.v.bitPattern
        if sample.t > s.maxTime { s.maxTime = sample.t }
        return true
    }

    /// Applies a replayed histogram sample without logging; out-of-order ones are skipped.
    func replay(_ sample: RefHistogramSample, refMap: [SeriesRef: SeriesRef], in s: inout State) -> Bool {
        guard let idx = Self.liveSlot(of: refMap[sample.ref] ?? sample.ref, in: s) else { return false }
        guard sample.t > s.hot[idx].maxTime, sample.t >= s.minValidTime, sample.value.inconsistency == nil else { return false }
        if s.series[idx]?.append(t: sample.t, histogram: sample.value, blockRange: blockRange) == true { s.unmappedSlots.append(idx) }
        s.hot[idx].maxTime = sample.t
        s.hot[idx].lastValueBits = StaleNaN.bits
        if sample.t > s.maxTime { s.maxTime = sample.t }
        return true
    }
}

extension Head {
    /// Applies the records of one segment of Prometheus' WAL: series get a reference of the head's
    /// own (`refs` maps Prometheus' references to them), float and histogram samples of series the
    /// records declared are appended like replayed ones. Returns the samples applied.
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
                case .histograms(let samples):
                    for sample in samples {
                        guard let ref = refs[sample.ref] else { continue }
                        if replay(RefHistogramSample(ref: ref, t: sample.t, value: sample.value), refMap: [:], in: &s) { applied += 1 }
                    }
                case .other:
                    continue
                }
            }
            return applied
        }
    }
}
