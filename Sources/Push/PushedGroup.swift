import Exposition
import MetricModel

/// What the pushes to one grouping key have left: the metric families of the last successful
/// push (PUT) or merge (POST), and when the group last changed or failed to.
public struct PushedGroup: Sendable, Equatable {
    public let key: GroupingKey
    /// The families in the order they were first pushed.
    public internal(set) var families: [ExpositionFamily] = []
    /// Every sample as it is stored: the pushed labels with the grouping key's put over them.
    public internal(set) var series: [Series] = []
    /// Epoch milliseconds of the last successful push; nil when every push so far failed.
    public internal(set) var lastPushMs: Int64?
    /// Epoch milliseconds of the last refused push, if any.
    public internal(set) var lastFailureMs: Int64?

    /// `push_time_seconds` and `push_failure_time_seconds` with the grouping key's labels.
    public let pushTimeLabels: Labels
    public let failureTimeLabels: Labels

    /// A stored series of the group and its value: a float, or a native histogram.
    public struct Series: Sendable, Equatable {
        public var labels: Labels
        public var value: Double
        public var histogram: HistogramValue?

        public init(labels: Labels, value: Double, histogram: HistogramValue? = nil) {
            self.labels = labels
            self.value = value
            self.histogram = histogram
        }
    }

    /// The names of the two series every group has, which a push cannot set.
    public static let pushTimeName = "push_time_seconds"
    public static let failureTimeName = "push_failure_time_seconds"
    /// Their HELP texts, worded as the Pushgateway's.
    public static let pushTimeHelp = "Last Unix time when changing this group in the Pushgateway succeeded."
    public static let failureTimeHelp = "Last Unix time when changing this group in the Pushgateway failed."

    init(key: GroupingKey) {
        self.key = key
        pushTimeLabels = Self.labels(key, name: Self.pushTimeName)
        failureTimeLabels = Self.labels(key, name: Self.failureTimeName)
    }

    /// The group's two time series and their values (seconds since the epoch, 0 for never), as
    /// the Pushgateway exposes them.
    public var timeSeries: [Series] {
        [Series(labels: pushTimeLabels, value: lastPushMs.map { Double($0) / 1000 } ?? 0),
         Series(labels: failureTimeLabels, value: lastFailureMs.map { Double($0) / 1000 } ?? 0)]
    }

    /// The labels of a pushed sample once stored: the grouping key wins over pushed labels of
    /// the same name (as the Pushgateway overwrites them). A sample with no `instance` from the
    /// key or the body is stored without one, as Prometheus stores the Pushgateway's empty
    /// `instance` when it scrapes with `honor_labels`.
    static func storedLabels(_ pushed: Labels, key: GroupingKey) -> Labels {
        var b = LabelsBuilder(pushed)
        for pair in key.labels.pairs { b[pair.name] = pair.value }
        return b.labels()
    }

    private static func labels(_ key: GroupingKey, name: String) -> Labels {
        var b = LabelsBuilder(key.labels)
        b[LabelName.metricName] = name
        return b.labels()
    }
}
