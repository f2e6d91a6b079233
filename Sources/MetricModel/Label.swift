/// One name/value pair of a series' identity.
public struct Label: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (lhs: Label, rhs: Label) -> Bool {
        lhs.name != rhs.name ? lhs.name < rhs.name : lhs.value < rhs.value
    }
}

/// Well-known label names Prometheus gives meaning to.
public enum LabelName {
    public static let metricName = "__name__"
    public static let job = "job"
    public static let instance = "instance"
    public static let address = "__address__"
    public static let scheme = "__scheme__"
    public static let metricsPath = "__metrics_path__"
    public static let scrapeInterval = "__scrape_interval__"
    public static let scrapeTimeout = "__scrape_timeout__"
    public static let paramPrefix = "__param_"
    public static let reservedPrefix = "__"
    public static let metaPrefix = "__meta_"
    public static let tmpPrefix = "__tmp_"

    /// Whether `name` is a valid legacy label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isValidLegacy(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || (!first && b >= 0x30 && b <= 0x39)
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// Whether `name` is a valid legacy metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isValidLegacyMetric(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x3A
                || (!first && b >= 0x30 && b <= 0x39)
            if !ok { return false }
            first = false
        }
        return !first
    }
}
