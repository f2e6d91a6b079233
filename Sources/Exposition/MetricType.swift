/// The type a `# TYPE` line declares for a metric family.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    case counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown

    /// Parses a TYPE token; the text format's `untyped` is OpenMetrics' `unknown`.
    public init?(token: String) {
        if token == "untyped" { self = .unknown; return }
        self.init(rawValue: token)
    }
}

/// What a scrape body's `Content-Type` says it is.
public enum ExpositionFormat: Sendable, Hashable {
    /// Prometheus text format 0.0.4.
    case text
    /// OpenMetrics 1.0 text.
    case openMetrics
    /// The delimited protobuf format (`MetricFamily` messages), the one that carries native
    /// histograms.
    case protobuf

    /// Picks the parser from a `Content-Type` header value; anything unknown is the text format,
    /// as Prometheus falls back to it. Protobuf is recognised only as the delimited
    /// `io.prometheus.client.MetricFamily` encoding (another message or encoding is not one Vigil
    /// can read, and is tried as text, where it fails with a parse error).
    public init(contentType: String?) {
        let ct = (contentType ?? "").lowercased()
        if ct.hasPrefix(ExpositionFamily.protobufMediaType) {
            let otherMessage = ct.contains("proto=") && !ct.contains("proto=io.prometheus.client.metricfamily")
            let otherEncoding = ct.contains("encoding=") && !ct.contains("encoding=delimited")
            self = otherMessage || otherEncoding ? .text : .protobuf
            return
        }
        self = ct.hasPrefix("application/openmetrics-text") ? .openMetrics : .text
    }
}

/// A malformed exposition body: the 1-based line and what was wrong there.
public struct ExpositionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    /// Line 0 stands for a body without lines (the protobuf format): the message says where.
    public var description: String { line == 0 ? message : "line \(line): \(message)" }
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}
