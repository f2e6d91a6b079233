import MetricModel

/// What the integer and float histogram chunks share, for code that treats both alike.
protocol HistogramChunkEncoding: Sendable {
    associatedtype Histogram: ChunkedHistogram
    /// The encoding byte in chunk files.
    static var encoding: UInt8 { get }
    init()
    init?(prometheusData data: UnsafeRawBufferPointer, minTime: Int64, maxTime: Int64)
    var count: Int { get }
    var minTime: Int64 { get }
    var maxTime: Int64 { get }
    var byteCount: Int { get }
    /// What the chunk's first sample says about a counter reset before it.
    var header: HistogramCounterResetHint { get }
    var prometheusData: [UInt8] { get }
    /// The bits' place in a mapped file, when they live there rather than on the heap.
    var mapped: MappedChunkBytes? { get }
    var isMapped: Bool { get }
    /// This chunk with its bits moved to `bytes` (the same bits, written to a file).
    func moved(to bytes: MappedChunkBytes) -> Self
    var lastHistogram: Histogram? { get }
    mutating func append(t: Int64, _ h: Histogram) -> HistogramChunk.AppendOutcome
    /// Every sample with its time; nil when the bits are damaged.
    func timedHistograms() -> [(t: Int64, histogram: Histogram)]?
}

/// What the storage needs of a histogram value of either kind.
protocol ChunkedHistogram: Sendable, Equatable {
    var counterResetHint: HistogramCounterResetHint { get set }
    var sum: Double { get }
    /// Whether this histogram follows `previous` only after a counter reset.
    func isCounterReset(after previous: Self) -> Bool
    /// A staleness marker of this kind.
    static var staleMarker: Self { get }
}

extension NativeHistogram: ChunkedHistogram {
    static var staleMarker: NativeHistogram { NativeHistogram(schema: 0, count: 0, sum: StaleNaN.value) }
}

extension FloatHistogram: ChunkedHistogram {
    static var staleMarker: FloatHistogram { FloatHistogram(schema: 0, count: 0, sum: StaleNaN.value) }
}

extension HistogramChunk: HistogramChunkEncoding {
    func timedHistograms() -> [(t: Int64, histogram: NativeHistogram)]? { histograms()?.map { ($0.t, $0.histogram) } }
}

extension FloatHistogramChunk: HistogramChunkEncoding {
    func timedHistograms() -> [(t: Int64, histogram: FloatHistogram)]? { histograms()?.map { ($0.t, $0.histogram) } }
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
                if current.count > 0, sample.histogram.counterResetHint != .counterReset,
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
