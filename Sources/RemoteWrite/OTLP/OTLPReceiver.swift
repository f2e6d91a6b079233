import Config
import Foundation
import MetricModel
import SwiftProtobuf
import TSDB

/// Receives OTLP/HTTP metric exports (`POST /api/v1/otlp/v1/metrics`, protobuf or JSON) and
/// appends them as Prometheus series through the same path scrapes use (see ``OTLPTranslator``
/// for the translation).
///
/// Answers follow OTLP/HTTP: a body that cannot be read is refused whole (400 with a `Status`);
/// otherwise every acceptable point is stored and the refused ones are counted, with the reason,
/// in the response's `partial_success`.
public struct OTLPReceiver: Sendable {
    let storage: any Appendable
    let config: OTLPConfig
    /// Where delta points become cumulative (`--enable-feature=otlp-deltatocumulative`); nil
    /// refuses them, as Prometheus does without the flag.
    let deltaStreams: OTLPDeltaStreams?
    /// The clock that ages delta streams.
    let clock: any WallClock

    package init(storage: any Appendable, config: OTLPConfig, deltaStreams: OTLPDeltaStreams? = nil, clock: any WallClock = SystemWallClock()) {
        self.storage = storage
        self.config = config
        self.deltaStreams = deltaStreams
        self.clock = clock
    }

    /// How the request body (and so the answer) is encoded.
    public enum Encoding: Sendable, Equatable {
        case protobuf, json

        /// The answer's `Content-Type`.
        public var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
    }

    /// Why a request was refused as a whole; nothing from it was stored.
    public enum RequestError: Error, Sendable, Equatable, CustomStringConvertible {
        case unsupportedMediaType(String)
        case badBody(String)
        case storage(String)

        public var description: String {
            switch self {
            case .unsupportedMediaType(let s), .badBody(let s), .storage(let s): s
            }
        }
    }

    /// What happened to one export.
    public struct Outcome: Sendable, Equatable {
        /// Samples handed to storage (a histogram point is several).
        public var samples = 0
        /// Data points refused before storage, and the first few reasons.
        public var rejectedPoints = 0
        public var reasons: [String] = []
        public var report = AppendReport()

        public init() {}

        mutating func reject(_ points: Int, _ reason: String) {
            guard points > 0 else { return }
            rejectedPoints += points
            if reasons.count < 3, !reasons.contains(reason) { reasons.append(reason) }
        }

        /// Points refused before storage plus samples storage refused (out of order, duplicate,
        /// out of bounds): OTLP's `rejected_data_points`.
        public var rejectedDataPoints: Int { rejectedPoints + report.rejected }

        /// Why anything was refused, empty when nothing was.
        public var errorMessage: String {
            (reasons + report.rejectionPhrases).joined(separator: "; ")
        }
    }

    /// The encoding a `Content-Type` names: `application/x-protobuf` (also the default when it is
    /// missing) or `application/json`.
    public static func encoding(contentType: String?) throws(RequestError) -> Encoding {
        let mediaType = (contentType ?? "").split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch mediaType {
        case "", "application/x-protobuf", "application/protobuf": return .protobuf
        case "application/json": return .json
        default: throw .unsupportedMediaType("unsupported content type \(mediaType); OTLP/HTTP takes application/x-protobuf or application/json")
        }
    }

    /// Decodes an export request (already inflated) and appends it.
    public func receive(_ body: [UInt8], encoding: Encoding) throws(RequestError) -> Outcome {
        let request: Vigil_Otlp_V1_ExportMetricsServiceRequest
        do {
            switch encoding {
            case .protobuf:
                request = try Vigil_Otlp_V1_ExportMetricsServiceRequest(serializedBytes: body)
            case .json:
                var options = JSONDecodingOptions()
                options.ignoreUnknownFields = true
                request = try Vigil_Otlp_V1_ExportMetricsServiceRequest(jsonUTF8Bytes: body, options: options)
            }
        } catch {
            throw .badBody("invalid OTLP ExportMetricsServiceRequest (\(encoding == .json ? "JSON" : "protobuf")): \(error)")
        }
        return try append(request)
    }

    func append(_ request: Vigil_Otlp_V1_ExportMetricsServiceRequest) throws(RequestError) -> Outcome {
        var outcome = Outcome()
        var request = request
        deltaStreams?.convert(&request, now: clock.nowMs(), outcome: &outcome)
        var app = storage.appender()
        OTLPTranslator(config: config).append(request, to: &app, outcome: &outcome)
        do { outcome.report = try app.commit() } catch {
            throw .storage("storage: \(error)")
        }
        return outcome
    }

    /// The success answer: an `ExportMetricsServiceResponse`, with `partial_success` filled when
    /// anything was refused.
    public static func responseBody(_ outcome: Outcome, encoding: Encoding) -> [UInt8] {
        var response = Vigil_Otlp_V1_ExportMetricsServiceResponse()
        if outcome.rejectedDataPoints > 0 {
            var partial = Vigil_Otlp_V1_ExportMetricsPartialSuccess()
            partial.rejectedDataPoints = Int64(outcome.rejectedDataPoints)
            partial.errorMessage = outcome.errorMessage
            response.partialSuccess = partial
        }
        return serialize(response, encoding)
    }

    /// The body of an error answer: a `Status` with the message.
    public static func errorBody(_ message: String, code: Int32, encoding: Encoding) -> [UInt8] {
        var status = Vigil_Otlp_V1_Status()
        status.code = code
        status.message = message
        return serialize(status, encoding)
    }

    private static func serialize(_ message: some SwiftProtobuf.Message, _ encoding: Encoding) -> [UInt8] {
        switch encoding {
        case .protobuf: return (try? message.serializedBytes()) ?? []
        case .json: return (try? message.jsonUTF8Bytes()) ?? Array("{}".utf8)
        }
    }
}
