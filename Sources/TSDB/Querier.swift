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

    init(labels: Labels, chunks: ArraySlice<XORChunk>) {
        self.labels = labels
        self.chunks = chunks
    }

    /// Samples with `mint <= t <= maxt`, skipping whole chunks outside the range.
    public func samples(mint: Int64 = .min, maxt: Int64 = .max) -> SeriesSampleIterator {
        SeriesSampleIterator(chunks: chunks.filter { $0.maxTime >= mint && $0.minTime <= maxt }, mint: mint, maxt: maxt)
    }

    public var sampleCount: Int { chunks.reduce(0) { $0 + $1.count } }

    /// Appends the samples with `mint <= t <= maxt` to two parallel arrays, decoding only the
    /// chunks that overlap the range: the bulk read the query engine uses.
    public func appendSamples(mint: Int64, maxt: Int64, times: inout [Int64], values: inout [Double]) {
        // By index: `for chunk in chunks` would copy each chunk out, retaining its arrays.
        var upperBound = 0
        for i in chunks.indices where chunks[i].maxTime >= mint && chunks[i].minTime <= maxt { upperBound += chunks[i].count }
        times.reserveCapacity(times.count + upperBound)
        values.reserveCapacity(values.count + upperBound)
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
        for chunk in chunks.reversed() where chunk.minTime <= maxt {
            guard chunk.maxTime >= mint else { return nil }
            if chunk.maxTime <= maxt { return chunk.lastSample }
            var times: [Int64] = [], values: [Double] = []
            chunk.appendSamples(mint: mint, maxt: maxt, times: &times, values: &values)
            guard let t = times.last, let v = values.last else { return nil }
            return Sample(t: t, v: v)
        }
        return nil
    }
}

/// Iterates a series' samples across chunks within a time range.
public struct SeriesSampleIterator: IteratorProtocol, Sequence, Sendable {
    private let chunks: [XORChunk]
    private var index = 0
    private var current: XORChunkIterator?
    private let mint: Int64
    private let maxt: Int64

    init(chunks: [XORChunk], mint: Int64, maxt: Int64) {
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
        current = chunks.first?.makeIterator()
    }

    public mutating func next() -> Sample? {
        while current != nil {
            // Decodes in place: copying the iterator out of the optional would cost a retain per sample.
            if let s = current?.next() {
                if s.t < mint { continue }
                if s.t > maxt { current = nil; return nil }
                return s
            }
            index += 1
            current = index < chunks.count ? chunks[index].makeIterator() : nil
        }
        return nil
    }
}
