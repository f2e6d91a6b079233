import MetricModel

/// What cutting a block out of the head needs: the head's time span, its series inside a range,
/// and the bound below which samples now belong to blocks.
extension Head {
    /// The oldest sample time in the head (`.max` when empty).
    public var minTime: Int64 {
        withState { s in
            var oldest = Int64.max
            for i in s.series.indices {
                if let t = s.series[i]?.minTime, t < oldest { oldest = t }
            }
            return oldest
        }
    }

    /// The bound below which appends are refused as out of bounds.
    public var minValidTime: Int64 { withState { $0.minValidTime } }

    /// Refuses samples older than `t` from now on (never lowers the bound).
    func raiseMinValidTime(to t: Int64) {
        withState { s in if t > s.minValidTime { s.minValidTime = t } }
    }

    /// Every live series with its samples in `[mint, maxt)`: chunks inside the range as they are
    /// (chunks are cut at block boundaries), any other re-encoded to the range.
    func blockSeries(mint: Int64, maxt: Int64) -> [BlockWriter.Series] {
        withState { s in
            var out: [BlockWriter.Series] = []
            for i in s.series.indices {
                guard let labels = s.series[i]?.labels, let chunks = s.series[i]?.chunks(overlapping: mint, maxt - 1) else { continue }
                var kept: [XORChunk] = []
                for c in chunks where c.count > 0 && c.maxTime >= mint && c.minTime < maxt {
                    if c.minTime >= mint && c.maxTime < maxt {
                        var copy = c
                        copy.dropCheckpoints()
                        kept.append(copy)
                    } else {
                        var times: [Int64] = [], values: [Double] = []
                        c.appendSamples(mint: mint, maxt: maxt - 1, times: &times, values: &values)
                        guard !times.isEmpty else { continue }
                        var cut = XORChunk()
                        for (t, v) in zip(times, values) { cut.append(t: t, v: v) }
                        cut.dropCheckpoints()
                        kept.append(cut)
                    }
                }
                var histograms: [HistogramChunk] = [], floatHistograms: [FloatHistogramChunk] = []
                if let series = s.series[i], series.hasHistograms {
                    histograms = Self.histogramChunks(series.histogramChunks, within: mint, maxt)
                    floatHistograms = Self.histogramChunks(series.floatHistogramChunks, within: mint, maxt)
                }
                if !kept.isEmpty || !histograms.isEmpty || !floatHistograms.isEmpty {
                    out.append(BlockWriter.Series(labels: s.symbols.labels(of: labels), chunks: kept,
                                                  histogramChunks: histograms, floatHistogramChunks: floatHistograms))
                }
            }
            return out
        }
    }

    /// The histogram chunks' samples in `[mint, maxt)`: chunks inside the range as they are, any
    /// other re-encoded to the range.
    static func histogramChunks<C: HistogramChunkEncoding>(_ chunks: [C], within mint: Int64, _ maxt: Int64) -> [C] {
        var out: [C] = []
        for c in chunks where c.count > 0 && c.maxTime >= mint && c.minTime < maxt {
            if c.minTime >= mint && c.maxTime < maxt {
                out.append(c)
                continue
            }
            var outside: [ClosedRange<Int64>] = []
            if mint > .min { outside.append(.min...(mint - 1)) }
            outside.append(maxt...(.max))
            out += C.removing(outside, from: [c])
        }
        return out
    }
}

extension Head {
    /// Removes the samples in `range` of every series matching `matchers`, re-encoding their
    /// chunks; returns how many series changed. The caller makes this durable with a snapshot.
    func deleteSamples(matching matchers: [LabelMatcher], in range: ClosedRange<Int64>) -> Int {
        withState { s in
            var changed = 0
            for ref in s.index.candidates(matchers) {
                guard let i = Self.liveSlot(of: ref, in: s), let series = s.series[i], series.labels.matches(matchers, in: s.symbols) else { continue }
                let chunks = series.allChunks
                var touched = chunks.contains { $0.maxTime >= range.lowerBound && $0.minTime <= range.upperBound }
                touched = touched || series.histogramChunks.contains { $0.maxTime >= range.lowerBound && $0.minTime <= range.upperBound }
                touched = touched || series.floatHistogramChunks.contains { $0.maxTime >= range.lowerBound && $0.minTime <= range.upperBound }
                guard touched else { continue }
                s.series[i]?.setChunks(Block.removing([range], from: chunks))
                if series.hasHistograms {
                    s.series[i]?.histogramChunks = HistogramChunk.removing([range], from: series.histogramChunks)
                    s.series[i]?.floatHistogramChunks = FloatHistogramChunk.removing([range], from: series.floatHistogramChunks)
                }
                changed += 1
            }
            return changed
        }
    }
}
