import MetricModel
import TSDB

/// One element of an instant vector: a float or a native histogram.
public struct VectorElement: Sendable, Equatable {
    public var labels: Labels
    public var t: Int64
    /// The float value (0 when the element holds a histogram).
    public var v: Double
    /// The metric name is to be removed once evaluation ends (delayed name removal), so
    /// functions such as label_replace can still read it meanwhile.
    var dropName = false
    /// The histogram, boxed: most elements are floats, and an inline histogram would triple the
    /// size of every element the per-step loops move.
    private var boxed: HistogramBox?

    public init(labels: Labels, t: Int64, v: Double) {
        self.labels = labels
        self.t = t
        self.v = v
    }

    /// An element holding a native histogram.
    public init(labels: Labels, t: Int64, histogram: FloatHistogram) {
        self.init(labels: labels, t: t, v: 0)
        self.boxed = HistogramBox(histogram)
    }

    /// The native histogram this element holds instead of a float, if any.
    public var histogram: FloatHistogram? {
        get { boxed?.value }
        set { boxed = newValue.map(HistogramBox.init) }
    }

    public static func == (a: VectorElement, b: VectorElement) -> Bool {
        a.labels == b.labels && a.t == b.t && a.v.bitPattern == b.v.bitPattern && a.histogram == b.histogram
    }
}

/// A histogram behind one reference (see ``VectorElement/histogram``).
final class HistogramBox: Sendable {
    let value: FloatHistogram
    init(_ value: FloatHistogram) { self.value = value }
}

/// One series of a range vector (matrix): float samples and native histogram samples, each in
/// time order (a timestamp holds one or the other).
public struct MatrixSeries: Sendable, Equatable {
    public var labels: Labels
    public var samples: [Sample]
    public var histograms: [FloatHistogramSample]
    var dropName = false

    public init(labels: Labels, samples: [Sample], histograms: [FloatHistogramSample] = []) {
        self.labels = labels
        self.samples = samples
        self.histograms = histograms
    }

    public static func == (a: MatrixSeries, b: MatrixSeries) -> Bool {
        a.labels == b.labels && a.samples == b.samples && a.histograms == b.histograms
    }

    /// Whether the series holds no sample of either kind.
    var isEmpty: Bool { samples.isEmpty && histograms.isEmpty }
}

/// The result of evaluating an expression.
public enum Value: Sendable, Equatable {
    case scalar(t: Int64, v: Double)
    case vector([VectorElement])
    case matrix([MatrixSeries])
    case string(t: Int64, String)

    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case let (.scalar(t1, v1), .scalar(t2, v2)): return t1 == t2 && v1.bitPattern == v2.bitPattern
        case let (.vector(x), .vector(y)): return x == y
        case let (.matrix(x), .matrix(y)): return x == y
        case let (.string(t1, s1), .string(t2, s2)): return t1 == t2 && s1 == s2
        default: return false
        }
    }
}

/// Why a query failed, with the Prometheus API error type it maps to.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case badData = "bad_data", execution, timeout, canceled
        /// The server cannot take the query now (its queue is full); try again later.
        case unavailable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// A query's value and the annotations evaluation raised (the API's `warnings` and `infos`).
public struct QueryResult: Sendable {
    public var value: Value
    public var warnings: [String]
    public var infos: [String]
}
