import MetricModel

/// A metric family of an exposition body, held whole: its metadata and every sample as a series
/// (histograms and summaries spelled out as `_bucket`, `_sum`, `_count` and `quantile` series).
///
/// Scrapes stream samples through ``ExpositionParser`` and never build this; pushes keep bodies
/// and replace them family by family, so they read a body into families
/// (``ExpositionFamily/decode(body:contentType:)``).
public struct ExpositionFamily: Sendable, Equatable {
    public var name: String
    public var type: MetricType
    public var help: String?
    public var unit: String?
    public var samples: [Sample]
    public init(name: String, type: MetricType = .unknown, help: String? = nil, unit: String? = nil, samples: [Sample] = []) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }

    /// One series of the family and its value.
    public struct Sample: Sendable, Equatable {
        /// Every label, `__name__` included; empty values left out.
        public var labels: Labels
        public var value: Double
        /// Milliseconds since the epoch, when the body gave one.
        public var timestamp: Int64?
        /// Whether this is a `+Inf` bucket made from the count rather than read (a protobuf
        /// histogram without one): the Pushgateway lists only the buckets that were pushed.
        public var isImpliedBucket = false
        /// A native histogram (read from the protobuf format when asked for): the series is the
        /// family's name, and ``value`` is not used.
        public var histogram: HistogramValue?

        public init(labels: Labels, value: Double, timestamp: Int64? = nil, histogram: HistogramValue? = nil) {
            self.labels = labels
            self.value = value
            self.timestamp = timestamp
            self.histogram = histogram
        }
    }

    /// The media type of the delimited protobuf format.
    public static let protobufMediaType = "application/vnd.google.protobuf"

    /// Reads a whole body in the format its `Content-Type` names: the delimited protobuf format
    /// for `application/vnd.google.protobuf` (with `proto=io.prometheus.client.MetricFamily`),
    /// OpenMetrics text, and otherwise the Prometheus text format.
    public static func decode(body: [UInt8], contentType: String?, nativeHistograms: Bool = false,
                              classicHistograms: Bool = false) throws(ExpositionError) -> [ExpositionFamily] {
        let ct = (contentType ?? "").lowercased()
        if ct.hasPrefix(protobufMediaType) {
            if ct.contains("proto="), !ct.contains("proto=io.prometheus.client.metricfamily") {
                throw ExpositionError(line: 0, message: "unsupported protobuf message in content type \(contentType ?? "")")
            }
            if ct.contains("encoding="), !ct.contains("encoding=delimited") {
                throw ExpositionError(line: 0, message: "only the delimited protobuf encoding is supported")
            }
            return try decodeDelimitedProtobuf(body, nativeHistograms: nativeHistograms, classicHistograms: classicHistograms)
        }
        return try decodeText(body, format: ExpositionFormat(contentType: contentType))
    }

    /// The series names a family of `type` named `name` owns besides `name` itself.
    static func ownsSuffix(_ suffix: Substring, type: MetricType) -> Bool {
        switch type {
        case .histogram, .gaugehistogram: return suffix == "_bucket" || suffix == "_sum" || suffix == "_count" || suffix == "_created"
            || suffix == "_gsum" || suffix == "_gcount"
        case .summary: return suffix == "_sum" || suffix == "_count" || suffix == "_created"
        case .counter: return suffix == "_total" || suffix == "_created"
        case .info: return suffix == "_info"
        case .gauge, .stateset, .unknown: return false
        }
    }
}
