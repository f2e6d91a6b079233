import Foundation
import Hummingbird

/// Prometheus API error types and their HTTP status codes.
public enum APIErrorType: String, Sendable {
    case badData = "bad_data"
    case execution
    case timeout
    case canceled
    case `internal`
    case unavailable
    case notFound = "not_found"
    /// Vigil-specific: a Prometheus endpoint Vigil does not implement yet (501).
    case notImplemented = "not_implemented"

    var status: HTTPResponse.Status {
        switch self {
        case .badData: return .badRequest
        case .execution: return .unprocessableContent
        case .timeout, .canceled, .unavailable: return .serviceUnavailable
        case .internal: return .internalServerError
        case .notFound: return .notFound
        case .notImplemented: return .notImplemented
        }
    }
}

/// `{"status":"success","data":...}` — the envelope of every Prometheus API v1 response.
struct SuccessEnvelope<T: Encodable>: Encodable {
    let status = "success"
    let data: T
    var warnings: [String]?
}

/// `{"status":"error","errorType":...,"error":...}`.
struct ErrorEnvelope: Encodable {
    let status = "error"
    let errorType: String
    let error: String
}

/// JSON response helpers shared by the API routes.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()

    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{\"status\":\"error\",\"errorType\":\"internal\",\"error\":\"encoding failed\"}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func success<T: Encodable>(_ data: T) -> Response { make(SuccessEnvelope(data: data)) }

    static func error(_ type: APIErrorType, _ message: String) -> Response {
        make(ErrorEnvelope(errorType: type.rawValue, error: message), status: type.status)
    }
}

/// RFC 3339 with fractional seconds, as Prometheus writes times in its API.
enum APITime {
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
