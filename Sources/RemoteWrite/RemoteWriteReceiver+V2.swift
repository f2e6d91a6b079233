import MetricModel
import TSDB

extension RemoteWriteReceiver {
    /// Appends a remote-write 2.0 request: labels and metadata are read through its symbols
    /// table; float and native histogram samples are stored like 1.0's; exemplars are counted and
    /// not stored (the response headers say so); with ``ingestCreatedTimestamps`` a series'
    /// created timestamp adds a zero sample before its first sample.
    func append(_ request: Vigil_Remotewrite_V2_Request) throws(RequestError) -> Outcome {
        let symbols = request.symbols
        var outcome = Outcome()
        var app = storage.appender()
        var created = ingestCreatedTimestamps ? storage.appender() : nil
        for ts in request.timeseries {
            outcome.exemplars += ts.exemplars.count
            let labels: Labels
            switch Self.labels(ts.labelsRefs, symbols).flatMap(Self.validate) {
            case .success(let l): labels = l
            case .failure(let reason):
                if outcome.invalidSeries == 0 { outcome.firstInvalid = reason.description }
                outcome.invalidSeries += 1
                continue
            }
            if ts.hasMetadata, let metadata = RemoteWriteMetadata(ts.metadata, symbols) {
                outcome.metadata[labels.metricName] = metadata
            }
            guard !ts.samples.isEmpty || !ts.histograms.isEmpty else { continue }
            outcome.series += 1
            if created != nil, ts.createdTimestamp > 0, let first = ts.samples.first, ts.createdTimestamp < first.timestamp {
                _ = created?.append(ref: nil, labels: labels, t: ts.createdTimestamp, v: 0)
            }
            var ref: SeriesRef?
            for s in ts.samples {
                ref = app.append(ref: ref, labels: labels, t: s.timestamp, v: s.value)
                outcome.samples += 1
            }
            for h in ts.histograms {
                ref = app.append(ref: ref, labels: labels, t: h.timestamp, histogram: h.histogramValue)
                outcome.histograms += 1
            }
        }
        do {
            // Zero samples first, in a commit of their own: one behind what is stored already (a
            // created timestamp sent again) is dropped silently, as Prometheus drops it.
            if var zeros = created { outcome.createdTimestampSamples = try zeros.commit().appended }
            outcome.report = try app.commit()
        } catch {
            throw .storage("storage: \(error)")
        }
        return outcome
    }

    /// The label pairs `refs` points at: an even count of indexes within the symbols table.
    static func labels(_ refs: [UInt32], _ symbols: [String]) -> Result<[Label], InvalidLabels> {
        guard refs.count % 2 == 0 else { return .failure(InvalidLabels("an odd number of label references (\(refs.count))")) }
        var out: [Label] = []
        out.reserveCapacity(refs.count / 2)
        var i = 0
        while i < refs.count {
            let name = Int(refs[i]), value = Int(refs[i + 1])
            guard name < symbols.count, value < symbols.count else {
                return .failure(InvalidLabels("label reference \(max(name, value)) beyond the \(symbols.count) symbols"))
            }
            out.append(Label(symbols[name], symbols[value]))
            i += 2
        }
        return .success(out)
    }
}

/// What a remote-write 2.0 series said about its metric family: the type in Prometheus' words
/// (`counter`, `gauge`, `histogram`, `gaugehistogram`, `summary`, `info`, `stateset`, `unknown`),
/// HELP and UNIT.
public struct RemoteWriteMetadata: Sendable, Hashable {
    public var type: String
    public var help: String
    public var unit: String

    public init(type: String, help: String, unit: String) {
        self.type = type
        self.help = help
        self.unit = unit
    }

    /// Nil when the series said nothing (no type, help or unit); references beyond the symbols
    /// table read as empty.
    init?(_ metadata: Vigil_Remotewrite_V2_Metadata, _ symbols: [String]) {
        func symbol(_ ref: UInt32) -> String { Int(ref) < symbols.count ? symbols[Int(ref)] : "" }
        let type: String
        switch metadata.type {
        case .counter: type = "counter"
        case .gauge: type = "gauge"
        case .histogram: type = "histogram"
        case .gaugehistogram: type = "gaugehistogram"
        case .summary: type = "summary"
        case .info: type = "info"
        case .stateset: type = "stateset"
        default: type = "unknown"
        }
        let help = symbol(metadata.helpRef), unit = symbol(metadata.unitRef)
        guard type != "unknown" || !help.isEmpty || !unit.isEmpty else { return nil }
        self.init(type: type, help: help, unit: unit)
    }
}
