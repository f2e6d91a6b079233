import MetricModel
import Snappy
import SwiftProtobuf
import TSDB

/// Receives remote-write 1.0 requests and appends their samples through the same path scrapes use.
///
/// Samples are rejected one by one (out of order, duplicate, invalid labels); the rest of the
/// request is stored. Historical timestamps are fine as long as each series receives them in order.
public struct RemoteWriteReceiver: Sendable {
    let storage: any Appendable
    /// Upper bound on the decompressed body.
    public let maxDecodedBytes: Int

    public init(storage: any Appendable, maxDecodedBytes: Int = 64 << 20) {
        self.storage = storage
        self.maxDecodedBytes = maxDecodedBytes
    }

    /// What happened to one request.
    public struct Outcome: Sendable, Equatable {
        public var series = 0
        public var samples = 0
        public var report = AppendReport()
        public var invalidSeries = 0
        public var firstInvalid = ""

        /// Whether every sample was stored (exact duplicates of stored samples count as stored).
        public var isComplete: Bool { report.rejected == 0 && invalidSeries == 0 }

        public var summary: String {
            var parts: [String] = []
            if report.outOfOrder > 0 { parts.append("\(report.outOfOrder) out-of-order samples") }
            if report.duplicate > 0 { parts.append("\(report.duplicate) duplicate samples with a different value") }
            if report.outOfBounds > 0 { parts.append("\(report.outOfBounds) samples with timestamps out of bounds") }
            if invalidSeries > 0 { parts.append("\(invalidSeries) series with invalid labels (first: \(firstInvalid))") }
            return "rejected " + parts.joined(separator: ", ") + "; the other \(report.appended) samples were stored"
        }
    }

    /// Why a request was refused as a whole; nothing from it was stored.
    public enum RequestError: Error, Sendable, Equatable, CustomStringConvertible {
        case unsupportedProtocol(String)
        case badEncoding(String)
        case badBody(String)
        case storage(String)

        public var description: String {
            switch self {
            case .unsupportedProtocol(let s), .badEncoding(let s), .badBody(let s), .storage(let s): return s
            }
        }
    }

    /// Checks the protocol version from the `Content-Type` header (remote-write 1.0 only for now).
    public static func checkContentType(_ contentType: String?) throws(RequestError) {
        guard let ct = contentType?.lowercased(), !ct.isEmpty else { return }
        if ct.contains("io.prometheus.write.v2.request") {
            throw .unsupportedProtocol("remote-write 2.0 (io.prometheus.write.v2.Request) is not supported yet; send remote-write 1.0")
        }
        guard ct.hasPrefix("application/x-protobuf") else {
            throw .unsupportedProtocol("unsupported content type \(ct); expected application/x-protobuf")
        }
    }

    /// Decodes a snappy-compressed `WriteRequest` and appends it.
    public func receive(compressed body: [UInt8]) throws(RequestError) -> Outcome {
        let raw: [UInt8]
        do { raw = try Snappy.decode(body, limit: maxDecodedBytes) } catch {
            throw .badEncoding("\(error)")
        }
        let request: Vigil_Remotewrite_V1_WriteRequest
        do { request = try Vigil_Remotewrite_V1_WriteRequest(serializedBytes: raw) } catch {
            throw .badBody("invalid protobuf WriteRequest: \(error)")
        }
        return try append(request)
    }

    func append(_ request: Vigil_Remotewrite_V1_WriteRequest) throws(RequestError) -> Outcome {
        var outcome = Outcome()
        var app = storage.appender()
        for ts in request.timeseries {
            let labels: Labels
            switch Self.validate(ts.labels) {
            case .success(let l): labels = l
            case .failure(let reason):
                if outcome.invalidSeries == 0 { outcome.firstInvalid = reason.description }
                outcome.invalidSeries += 1
                continue
            }
            outcome.series += 1
            var ref: SeriesRef?
            for s in ts.samples {
                ref = app.append(ref: ref, labels: labels, t: s.timestamp, v: s.value)
                outcome.samples += 1
            }
        }
        do { outcome.report = try app.commit() } catch {
            throw .storage("storage: \(error)")
        }
        return outcome
    }

    /// Labels must have a metric name, non-empty unique names and valid UTF-8 (guaranteed by protobuf).
    static func validate(_ pairs: [Vigil_Remotewrite_V1_Label]) -> Result<Labels, InvalidLabels> {
        var seen = Set<String>()
        var out: [Label] = []
        out.reserveCapacity(pairs.count)
        for p in pairs {
            guard !p.name.isEmpty else { return .failure(InvalidLabels("empty label name")) }
            guard seen.insert(p.name).inserted else { return .failure(InvalidLabels("duplicate label name \"\(p.name)\"")) }
            out.append(Label(p.name, p.value))
        }
        let labels = Labels(out)
        guard !labels.metricName.isEmpty else { return .failure(InvalidLabels("series without a metric name")) }
        return .success(labels)
    }

    struct InvalidLabels: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
