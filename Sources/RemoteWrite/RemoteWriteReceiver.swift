import Foundation
import MetricModel
import Snappy
import SwiftProtobuf
import TSDB

/// Receives remote-write 1.0 and 2.0 requests and appends their samples through the same path
/// scrapes use.
///
/// Samples are rejected one by one (out of order, duplicate, invalid labels); the rest of the
/// request is stored. Historical timestamps are fine as long as each series receives them in order.
public struct RemoteWriteReceiver: Sendable {
    let storage: any Appendable
    /// Upper bound on the decompressed body.
    public let maxDecodedBytes: Int
    /// Whether a 2.0 series' created timestamp becomes a zero sample at that time, before its
    /// first sample (Prometheus' `created-timestamp-zero-ingestion` feature), so `rate` and
    /// `increase` see a counter's first increase.
    public let ingestCreatedTimestamps: Bool

    public init(storage: any Appendable, maxDecodedBytes: Int = 64 << 20, ingestCreatedTimestamps: Bool = false) {
        self.storage = storage
        self.maxDecodedBytes = maxDecodedBytes
        self.ingestCreatedTimestamps = ingestCreatedTimestamps
    }

    /// The protocol of a request, from its `Content-Type`.
    public enum ProtocolVersion: Sendable, Equatable {
        /// `prometheus.WriteRequest`.
        case v1
        /// `io.prometheus.write.v2.Request`.
        case v2
    }

    /// What happened to one request.
    public struct Outcome: Sendable, Equatable {
        public var series = 0
        public var samples = 0
        public var report = AppendReport()
        public var invalidSeries = 0
        public var firstInvalid = ""
        /// Native histogram samples received (stored or refused one by one, as float samples are).
        public var histograms = 0
        /// Exemplars received (2.0); Vigil keeps no exemplars, so none is written.
        public var exemplars = 0
        /// Zero samples stored at created timestamps (2.0, when enabled); not counted as written.
        public var createdTimestampSamples = 0
        /// What 2.0 series said about their metric families, by metric name.
        public var metadata: [String: RemoteWriteMetadata] = [:]

        public init() {}

        /// Whether every sample was stored (exact duplicates of stored samples count as stored).
        public var isComplete: Bool { report.rejected == 0 && invalidSeries == 0 }

        /// Float samples stored, for `X-Prometheus-Remote-Write-Samples-Written` (an exact
        /// duplicate of a stored sample counts: it is stored).
        public var samplesWritten: Int { report.appended - report.appendedHistograms + report.ignoredDuplicates - report.ignoredDuplicateHistograms }

        /// Native histogram samples stored, for `X-Prometheus-Remote-Write-Histograms-Written`.
        public var histogramsWritten: Int { report.appendedHistograms + report.ignoredDuplicateHistograms }

        public var summary: String {
            var parts = report.rejectionPhrases
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

    /// The protocol a `Content-Type` names, as the 2.0 specification negotiates it:
    /// `application/x-protobuf` alone or with `proto=prometheus.WriteRequest` is 1.0,
    /// `proto=io.prometheus.write.v2.Request` is 2.0, anything else is refused (415). A missing
    /// header is taken as 1.0, which older senders omit.
    public static func protocolVersion(contentType: String?) throws(RequestError) -> ProtocolVersion {
        guard let header = contentType, !header.isEmpty else { return .v1 }
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "application/x-protobuf" else {
            throw .unsupportedProtocol("unsupported content type \(header); expected application/x-protobuf")
        }
        var proto = "prometheus.WriteRequest"
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "proto" { proto = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        switch proto {
        case "prometheus.WriteRequest": return .v1
        case "io.prometheus.write.v2.Request": return .v2
        default: throw .unsupportedProtocol("unsupported remote-write protobuf message \(proto); Vigil takes prometheus.WriteRequest (1.0) and io.prometheus.write.v2.Request (2.0)")
        }
    }

    /// Decodes a snappy-compressed request of the given protocol and appends it.
    public func receive(compressed body: [UInt8], version: ProtocolVersion = .v1) throws(RequestError) -> Outcome {
        let raw: [UInt8]
        do { raw = try Snappy.decode(body, limit: maxDecodedBytes) } catch {
            throw .badEncoding("\(error)")
        }
        switch version {
        case .v1:
            let request: Vigil_Remotewrite_V1_WriteRequest
            do { request = try Vigil_Remotewrite_V1_WriteRequest(serializedBytes: raw) } catch {
                throw .badBody("invalid protobuf WriteRequest: \(error)")
            }
            return try append(request)
        case .v2:
            let request: Vigil_Remotewrite_V2_Request
            do { request = try Vigil_Remotewrite_V2_Request(serializedBytes: raw) } catch {
                throw .badBody("invalid protobuf io.prometheus.write.v2.Request: \(error)")
            }
            return try append(request)
        }
    }

    func append(_ request: Vigil_Remotewrite_V1_WriteRequest) throws(RequestError) -> Outcome {
        var outcome = Outcome()
        var app = storage.appender()
        for ts in request.timeseries {
            let labels: Labels
            switch Self.validate(ts.labels.map { Label($0.name, $0.value) }) {
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
            for h in ts.histograms {
                ref = app.append(ref: ref, labels: labels, t: h.timestamp, histogram: h.histogramValue)
                outcome.histograms += 1
            }
        }
        do { outcome.report = try app.commit() } catch {
            throw .storage("storage: \(error)")
        }
        return outcome
    }

    /// Labels must have a metric name, non-empty unique names and valid UTF-8 (guaranteed by protobuf).
    static func validate(_ pairs: [Label]) -> Result<Labels, InvalidLabels> {
        var seen = Set<String>()
        for p in pairs {
            guard !p.name.isEmpty else { return .failure(InvalidLabels("empty label name")) }
            guard seen.insert(p.name).inserted else { return .failure(InvalidLabels("duplicate label name \"\(p.name)\"")) }
        }
        let labels = Labels(pairs)
        guard !labels.metricName.isEmpty else { return .failure(InvalidLabels("series without a metric name")) }
        return .success(labels)
    }

    struct InvalidLabels: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
