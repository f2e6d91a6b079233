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

    /// Histogram samples of both kinds with `mint <= t <= maxt`, as float histograms in time order
    /// (what queries compute with).
    public func histogramSamplesAsFloat(mint: Int64 = .min, maxt: Int64 = .max) -> [FloatHistogramSample] {
        let integer = histogramChunks.isEmpty ? [] : histogramSamples(mint: mint, maxt: maxt)
        let float = floatHistogramChunks.isEmpty ? [] : floatHistogramSamples(mint: mint, maxt: maxt)
        if integer.isEmpty { return float }
        let converted = integer.map { FloatHistogramSample(t: $0.t, histogram: $0.histogram.floatHistogram) }
        return float.isEmpty ? converted : Self.inTimeOrder(converted + float, time: \.t)
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
