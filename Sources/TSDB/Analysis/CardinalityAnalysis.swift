import MetricModel

/// What `vigil tsdb analyze` reports about the series of a block or of the head: how many there
/// are and what they cost the index (label names, label pairs, postings entries), which metric
/// names and labels hold the most series, and which label pairs come with churn (series that start
/// or stop inside the range: pods that come and go, per-request label values).
public struct CardinalityAnalysis: Sendable {
    /// A name (a metric name, a label name or a `name="value"` pair) and how many it counts.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let count: Int
    }

    public private(set) var seriesCount = 0
    public private(set) var chunkCount = 0
    /// Distinct label names.
    public private(set) var labelNameCount = 0
    /// Distinct `name="value"` pairs: one postings list each.
    public private(set) var labelPairCount = 0
    /// Label pairs summed over every series: the entries of all postings lists.
    public private(set) var postingsEntries = 0
    /// Series whose first sample comes after the start of the range or whose last comes before its
    /// end, by more than a twentieth of the range.
    public private(set) var churningSeries = 0
    /// Metric names with the most series, most first.
    public private(set) var metricsBySeries: [Entry] = []
    /// Label names with the most distinct values, most first.
    public private(set) var labelsByValues: [Entry] = []
    /// Label pairs on the most series, most first.
    public private(set) var commonLabelPairs: [Entry] = []
    /// Label pairs on the most churning series, most first.
    public private(set) var churningLabelPairs: [Entry] = []

    /// Analyses `series` (their chunks inside `range`, in milliseconds), keeping the `top` largest
    /// entries of each list.
    public init(series: [SeriesData], range: ClosedRange<Int64>, top: Int = 20) {
        let span = range.upperBound.subtractingReportingOverflow(range.lowerBound)
        let slack = span.overflow ? Int64.max / 2 : span.partialValue / 20
        var perMetric: [String: Int] = [:]
        var perPair: [String: Int] = [:]
        var churnPerPair: [String: Int] = [:]
        var valuesPerName: [String: Set<String>] = [:]
        for s in series {
            seriesCount += 1
            chunkCount += s.chunkCount
            postingsEntries += s.labels.pairs.count
            for label in s.labels.pairs {
                valuesPerName[label.name, default: []].insert(label.value)
                perPair["\(label.name)=\"\(label.value)\"", default: 0] += 1
            }
            perMetric[s.labels["__name__"], default: 0] += 1
            guard let bounds = s.timeRange else { continue }
            let first = bounds.lowerBound, last = bounds.upperBound
            let startsLate = first.subtractingReportingOverflow(range.lowerBound)
            let stopsEarly = range.upperBound.subtractingReportingOverflow(last)
            if (!startsLate.overflow && startsLate.partialValue > slack) || (!stopsEarly.overflow && stopsEarly.partialValue > slack) {
                churningSeries += 1
                for label in s.labels.pairs { churnPerPair["\(label.name)=\"\(label.value)\"", default: 0] += 1 }
            }
        }
        labelNameCount = valuesPerName.count
        labelPairCount = perPair.count
        metricsBySeries = Self.largest(perMetric, top)
        labelsByValues = Self.largest(valuesPerName.mapValues(\.count), top)
        commonLabelPairs = Self.largest(perPair, top)
        churningLabelPairs = Self.largest(churnPerPair, top)
    }

    /// The `top` largest counts, ties in name order.
    static func largest(_ counts: [String: Int], _ top: Int) -> [Entry] {
        counts.map { Entry(name: $0.key, count: $0.value) }
            .sorted { ($0.count, $1.name) > ($1.count, $0.name) }
            .prefix(max(0, top)).map { $0 }
    }
}
