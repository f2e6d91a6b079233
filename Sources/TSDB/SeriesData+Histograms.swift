import MetricModel

/// Reading a series' native histogram samples. Chunks from several blocks and the head may
/// overlap in time: the samples come out in time order, the first chunk holding a timestamp
/// winning it (as for float samples).
extension SeriesData {
    /// Whether the series holds native histogram samples.
    public var hasHistograms: Bool { !histogramChunks.isEmpty || !floatHistogramChunks.isEmpty }

    /// Integer histogram samples with `mint <= t <= maxt`; a damaged chunk contributes the
    /// samples before its damage.
    public func histogramSamples(mint: Int64 = .min, maxt: Int64 = .max) -> [HistogramSample] {
        let mint = max(mint, floor)
        var out: [HistogramSample] = []
        for chunk in histogramChunks where chunk.maxTime >= mint && chunk.minTime <= maxt {
            chunk.decode(mint: mint, maxt: maxt, into: &out)
        }
        return Self.inTimeOrder(out, time: \.t)
    }

    /// Float histogram samples with `mint <= t <= maxt`.
    public func floatHistogramSamples(mint: Int64 = .min, maxt: Int64 = .max) -> [FloatHistogramSample] {
        let mint = max(mint, floor)
        var out: [FloatHistogramSample] = []
        for chunk in floatHistogramChunks where chunk.maxTime >= mint && chunk.minTime <= maxt {
            chunk.decode(mint: mint, maxt: maxt, into: &out)
        }
        return Self.inTimeOrder(out, time: \.t)
    }

    /// Samples sorted by time, the first of a repeated timestamp kept; already ordered input (the
    /// common case) is returned as is.
    static func inTimeOrder<S>(_ samples: [S], time: (S) -> Int64) -> [S] {
        if zip(samples, samples.dropFirst()).allSatisfy({ time($0) < time($1) }) { return samples }
        var seen = Set<Int64>()
        let kept = samples.filter { seen.insert(time($0)).inserted }
        // A stable sort keeps the first source's sample first.
        return kept.enumerated().sorted { (time($0.element), $0.offset) < (time($1.element), $1.offset) }.map(\.element)
    }
}

/// What the integer and float histogram chunks share, for code that treats both alike.
protocol HistogramChunkEncoding: Sendable {
    associatedtype Histogram
    init()
    var count: Int { get }
    var maxTime: Int64 { get }
    mutating func append(t: Int64, _ h: Histogram) -> HistogramChunk.AppendOutcome
    /// Every sample with its time; nil when the bits are damaged.
    func timedHistograms() -> [(t: Int64, histogram: Histogram)]?
    /// What a histogram says about a counter reset before it.
    static func resetHint(of h: Histogram) -> HistogramCounterResetHint
}

extension HistogramChunk: HistogramChunkEncoding {
    func timedHistograms() -> [(t: Int64, histogram: NativeHistogram)]? { histograms()?.map { ($0.t, $0.histogram) } }
    static func resetHint(of h: NativeHistogram) -> HistogramCounterResetHint { h.counterResetHint }
}

extension FloatHistogramChunk: HistogramChunkEncoding {
    func timedHistograms() -> [(t: Int64, histogram: FloatHistogram)]? { histograms()?.map { ($0.t, $0.histogram) } }
    static func resetHint(of h: FloatHistogram) -> HistogramCounterResetHint { h.counterResetHint }
}

extension HistogramChunkEncoding {
    /// The chunks without the samples in `deleted` (a block's tombstones), re-encoded; a sample
    /// that opened its chunk after a reset opens one here too.
    static func removing(_ deleted: [ClosedRange<Int64>], from chunks: [Self]) -> [Self] {
        var out: [Self] = []
        var current = Self()
        for chunk in chunks {
            for sample in chunk.timedHistograms() ?? [] where !deleted.contains(where: { $0.contains(sample.t) }) {
                if current.count > 0, sample.t <= current.maxTime { continue }
                if current.count > 0, resetHint(of: sample.histogram) != .counterReset,
                   current.append(t: sample.t, sample.histogram) != .needsNewChunk { continue }
                if current.count > 0 { out.append(current) }
                current = Self()
                _ = current.append(t: sample.t, sample.histogram)
            }
        }
        if current.count > 0 { out.append(current) }
        return out
    }
}
