import MetricModel

/// Cardinality figures for `/api/v1/status/tsdb`, read off the postings index.
public struct CardinalityStats: Sendable {
    /// A name and a count, as the status API lists them.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var value: Int
    }

    public var numSeries = 0
    public var chunkCount = 0
    public var minTime: Int64 = 0
    public var maxTime: Int64 = 0
    public var seriesCountByMetricName: [Entry] = []
    public var labelValueCountByLabelName: [Entry] = []
    public var memoryInBytesByLabelName: [Entry] = []
    public var seriesCountByLabelValuePair: [Entry] = []
}

extension Head {
    /// The top `limit` entries of each cardinality list, computed from the head's state.
    static func cardinality(of s: borrowing State, limit: Int) -> CardinalityStats {
        var stats = CardinalityStats()
        var minTime = Int64.max
        for series in s.series {
            guard let series else { continue }
            stats.numSeries += 1
            stats.chunkCount += series.chunkCount
            minTime = min(minTime, series.minTime)
        }
        stats.minTime = minTime == .max ? 0 : minTime
        stats.maxTime = s.maxTime == .min ? 0 : s.maxTime
        func top(_ entries: [CardinalityStats.Entry]) -> [CardinalityStats.Entry] {
            Array(entries.sorted { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }.prefix(limit))
        }
        let postings = s.index.postings
        stats.seriesCountByMetricName = top((postings[LabelName.metricName] ?? [:]).map { .init(name: $0.key, value: $0.value.count) })
        stats.labelValueCountByLabelName = top(postings.map { .init(name: $0.key, value: $0.value.count) })
        stats.memoryInBytesByLabelName = top(postings.map { name, values in
            .init(name: name, value: values.keys.reduce(0) { $0 + $1.utf8.count })
        })
        var pairs: [CardinalityStats.Entry] = []
        for (name, values) in postings {
            for (value, refs) in values { pairs.append(.init(name: "\(name)=\(value)", value: refs.count)) }
        }
        stats.seriesCountByLabelValuePair = top(pairs)
        return stats
    }
}
