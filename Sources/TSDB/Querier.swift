import MetricModel

/// The read seam: PromQL and the HTTP API read series through it.
public protocol Querier: Sendable {
    /// Series matching every matcher with samples in `[mint, maxt]`: sorted by labels when
    /// `sorted`, otherwise in the order the series were first seen (the query engine's choice,
    /// as Prometheus' engine asks for unsorted series: sorting is most of the cost of a small query).
    func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64, sorted: Bool) -> [SeriesData]
    /// Label names of series that match (all series when `matchers` is empty).
    func labelNames(_ matchers: [LabelMatcher]) -> [String]
    /// Values of `name` across matching series.
    func labelValues(_ name: String, _ matchers: [LabelMatcher]) -> [String]
}

extension Querier {
    /// Series matching every matcher with samples in `[mint, maxt]`, sorted by labels.
    public func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) -> [SeriesData] {
        select(matchers, mint: mint, maxt: maxt, sorted: true)
    }
}

/// A series and a consistent snapshot of its chunks; iterating decodes only what is asked for.
public struct SeriesData: Sendable {
    public let labels: Labels
    /// A slice of the series' own array: taking a snapshot retains it and copies nothing.
    let chunks: ArraySlice<XORChunk>
    /// Samples before this are not part of the series here (the head's chunks can reach back
    /// into the range of a block that already holds those samples).
    let floor: Int64
    /// Native histogram samples, oldest chunk first (see `SeriesData+Histograms.swift`): a series
    /// holds histograms where its float chunks leave off, or only histograms.
    let histogramChunks: [HistogramChunk]
    let floatHistogramChunks: [FloatHistogramChunk]

    init(labels: Labels, chunks: ArraySlice<XORChunk>, floor: Int64 = .min,
         histogramChunks: [HistogramChunk] = [], floatHistogramChunks: [FloatHistogramChunk] = []) {
        self.labels = labels
        self.chunks = chunks
        self.floor = floor
        self.histogramChunks = histogramChunks
        self.floatHistogramChunks = floatHistogramChunks
    }

    /// Samples with `mint <= t <= maxt`, skipping whole chunks outside the range.
    public func samples(mint: Int64 = .min, maxt: Int64 = .max) -> [Sample] {
        let mint = max(mint, floor)
        var times: [Int64] = [], values: [Double] = []
        appendSamples(mint: mint, maxt: maxt, times: &times, values: &values)
        return zip(times, values).map { Sample(t: $0, v: $1) }
    }

    /// Samples in the chunks that overlap `[mint, maxt]`: an upper bound of what
    /// ``appendSamples(mint:maxt:times:values:)`` reads, known without decoding.
    public func sampleCount(mint: Int64, maxt: Int64) -> Int {
        let mint = max(mint, floor)
        var total = 0
        for i in chunks.indices where chunks[i].maxTime >= mint && chunks[i].minTime <= maxt { total += chunks[i].count }
        return total
    }

    /// Appends the samples with `mint <= t <= maxt` to two parallel arrays, decoding only the
    /// chunks that overlap the range: the bulk read the query engine uses.
    public func appendSamples(mint: Int64, maxt: Int64, times: inout [Int64], values: inout [Double]) {
        let mint = max(mint, floor)
        // By index: `for chunk in chunks` would copy each chunk out, retaining its arrays.
        // Room for every sample of the overlapping chunks, growing geometrically: callers append
        // many series to the same arrays.
        let needed = times.count + sampleCount(mint: mint, maxt: maxt)
        if times.capacity < needed { times.reserveCapacity(Swift.max(needed, 2 * times.capacity)) }
        if values.capacity < needed { values.reserveCapacity(Swift.max(needed, 2 * values.capacity)) }
        for i in chunks.indices where chunks[i].maxTime >= mint && chunks[i].minTime <= maxt {
            chunks[i].appendSamples(mint: mint, maxt: maxt, times: &times, values: &values)
        }
    }
}

extension SeriesData {
    /// The newest sample with `mint <= t <= maxt`: what an instant selector sees. When the range
    /// reaches past a chunk's end this reads no bits; otherwise it decodes one chunk from its
    /// nearest checkpoint.
    public func latestSample(mint: Int64, maxt: Int64) -> Sample? {
        let mint = max(mint, floor)
        // By index, newest first: `for chunk in chunks.reversed()` would copy each chunk out.
        for i in chunks.indices.reversed() where chunks[i].minTime <= maxt {
            guard chunks[i].maxTime >= mint else { return nil }
            if chunks[i].maxTime <= maxt { return chunks[i].lastSample }
            var times: [Int64] = [], values: [Double] = []
            chunks[i].appendSamples(mint: mint, maxt: maxt, times: &times, values: &values)
            guard let t = times.last, let v = values.last else { return nil }
            return Sample(t: t, v: v)
        }
        return nil
    }
}

extension SeriesData {
    /// From the first sample's time to the last's, by the chunks' bounds; nil without chunks.
    public var timeRange: ClosedRange<Int64>? {
        guard let first = chunks.first?.minTime, let last = chunks.last?.maxTime, first <= last else { return nil }
        return max(first, floor)...max(last, floor)
    }

    /// How many chunks hold the series' samples.
    public var chunkCount: Int { chunks.count }
}
