import MetricModel

/// Reads across the blocks and the head as one store: what PromQL, the HTTP API and the rules see.
///
/// A series found in several places comes back once, its chunks in time order. Where sources
/// overlap in time (Prometheus' overlapping blocks, or the moment between a block being added and
/// the head truncated) the overlapping samples are merged, one per timestamp.
public struct StorageQuerier: Querier {
    /// Oldest first.
    let blocks: [Block]
    let head: Head?

    public init(blocks: [Block], head: Head?) {
        self.blocks = blocks
        self.head = head
    }

    public func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64, sorted: Bool) -> [SeriesData] {
        let fromHead = head?.select(matchers, mint: mint, maxt: maxt, sorted: sorted) ?? []
        return Self.combine(fromHead, blocks: blocks, matchers, mint: mint, maxt: maxt, sorted: sorted)
    }

    /// The head's series (already selected) together with the blocks' series in the range.
    static func combine(_ fromHead: [SeriesData], blocks: [Block], _ matchers: [LabelMatcher], mint: Int64, maxt: Int64,
                        sorted: Bool) -> [SeriesData] {
        let fromBlocks = blocks.filter { $0.maxTime > mint && $0.minTime <= maxt }
            .map { $0.select(matchers, mint: mint, maxt: maxt, sorted: true) }
            .filter { !$0.isEmpty }
        if fromBlocks.isEmpty { return fromHead }
        if fromBlocks.count == 1, fromHead.isEmpty { return fromBlocks[0] }
        var order: [Labels] = []
        var parts: [Labels: [SeriesData]] = [:]
        for list in fromBlocks + [fromHead] {
            for series in list {
                if parts[series.labels] == nil { order.append(series.labels) }
                parts[series.labels, default: []].append(series)
            }
        }
        if sorted { order.sort() }
        return order.compactMap { labels in parts[labels].flatMap { Self.merge($0) } }
    }

    /// One series from its parts (in source order: blocks by time, then the head).
    static func merge(_ parts: [SeriesData]) -> SeriesData? {
        guard parts.count > 1 else { return parts.first }
        // Histogram chunks are kept as they are, in the parts' order; their reader merges them.
        let histograms = parts.flatMap(\.histogramChunks), floatHistograms = parts.flatMap(\.floatHistogramChunks)
        var chunks: [XORChunk] = []
        var disjoint = true
        var end = Int64.min
        for part in parts {
            for i in part.chunks.indices {
                let c = part.chunks[i]
                // A part's floor cuts into its chunks: those samples come from another part.
                if c.minTime <= end || c.minTime < part.floor { disjoint = false }
                end = max(end, c.maxTime)
                chunks.append(c)
            }
        }
        if disjoint {
            return SeriesData(labels: parts[0].labels, chunks: chunks[...], histogramChunks: histograms, floatHistogramChunks: floatHistograms)
        }
        // Overlap: merge sample by sample, the first source's value winning a shared timestamp.
        var samples: [Int64: Double] = [:]
        for part in parts {
            var times: [Int64] = [], values: [Double] = []
            part.appendSamples(mint: .min, maxt: .max, times: &times, values: &values)
            for (t, v) in zip(times, values) where samples[t] == nil { samples[t] = v }
        }
        var merged: [XORChunk] = []
        var current = XORChunk()
        for t in samples.keys.sorted() {
            if current.count >= XORChunk.targetSamples {
                merged.append(current)
                current = XORChunk()
            }
            current.append(t: t, v: samples[t] ?? 0)
        }
        if current.count > 0 { merged.append(current) }
        if merged.isEmpty && histograms.isEmpty && floatHistograms.isEmpty { return nil }
        return SeriesData(labels: parts[0].labels, chunks: merged[...], histogramChunks: histograms, floatHistogramChunks: floatHistograms)
    }

    public func labelNames(_ matchers: [LabelMatcher]) -> [String] {
        var names = Set(head?.labelNames(matchers) ?? [])
        for block in blocks { names.formUnion(block.labelNames(matchers)) }
        return names.sorted()
    }

    public func labelValues(_ name: String, _ matchers: [LabelMatcher]) -> [String] {
        var values = Set(head?.labelValues(name, matchers) ?? [])
        for block in blocks { values.formUnion(block.labelValues(name, matchers)) }
        return values.sorted()
    }
}

extension Database: Querier {
    /// A querier over the blocks and the head as they are now. The head is read first: a block
    /// cut meanwhile is then in the list read after it, so no sample is missed.
    public func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64, sorted: Bool) -> [SeriesData] {
        let fromHead = head.select(matchers, mint: mint, maxt: maxt, sorted: sorted)
        return StorageQuerier.combine(fromHead, blocks: blocks, matchers, mint: mint, maxt: maxt, sorted: sorted)
    }

    public func labelNames(_ matchers: [LabelMatcher]) -> [String] {
        StorageQuerier(blocks: blocks, head: head).labelNames(matchers)
    }

    public func labelValues(_ name: String, _ matchers: [LabelMatcher]) -> [String] {
        StorageQuerier(blocks: blocks, head: head).labelValues(name, matchers)
    }
}
