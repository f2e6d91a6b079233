import HTTPTypes
import Hummingbird
import NIOCore
import RemoteWrite

extension APIRoutes {
    /// Compressed bodies above this are refused before decoding.
    static let maxRemoteWriteBody = 32 << 20

    /// `POST /api/v1/write`: the remote-write receiver, 1.0 and 2.0 told apart by `Content-Type`.
    /// 2.0 answers carry the `X-Prometheus-Remote-Write-*-Written` headers, on success and on a
    /// partial failure alike, so a sender knows what was stored.
    static func addRemoteWrite(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        router.post("/api/v1/write") { request, _ -> Response in
            guard backend.settings.remoteWriteEnabled else {
                return text("remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n", .notFound)
            }
            guard let appendable = backend.appendable else { return text("Vigil is not ready yet\n", .serviceUnavailable) }
            let version: RemoteWriteReceiver.ProtocolVersion
            do {
                version = try RemoteWriteReceiver.protocolVersion(contentType: request.headers[.contentType])
            } catch {
                return text("\(error)\n", .unsupportedMediaType)
            }
            if let encoding = request.headers[.contentEncoding], !encoding.isEmpty, encoding.lowercased() != "snappy" {
                return text("unsupported Content-Encoding \(encoding); remote write bodies are snappy-compressed\n", .unsupportedMediaType)
            }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: maxRemoteWriteBody) } catch {
                return text("request body larger than \(maxRemoteWriteBody) bytes\n", .badRequest)
            }
            let receiver = RemoteWriteReceiver(storage: appendable, ingestCreatedTimestamps: backend.settings.ingestCreatedTimestamps)
            do {
                let outcome = try receiver.receive(compressed: Array(body.readableBytesView), version: version)
                backend.receivedMetadata?.record(outcome.metadata)
                var response = outcome.isComplete ? Response(status: .noContent) : text(outcome.summary + "\n", .badRequest)
                if version == .v2 { writtenHeaders(outcome, into: &response.headers) }
                return response
            } catch let e as RemoteWriteReceiver.RequestError {
                var status = HTTPResponse.Status.badRequest
                if case .storage = e { status = .internalServerError }
                var response = text("\(e)\n", status)
                if version == .v2 { writtenHeaders(RemoteWriteReceiver.Outcome(), into: &response.headers) }
                return response
            }
        }
    }

    /// What a 2.0 request stored: float and native histogram samples; no exemplars (Vigil keeps none).
    static func writtenHeaders(_ outcome: RemoteWriteReceiver.Outcome, into headers: inout HTTPFields) {
        let counts = [("Samples", outcome.samplesWritten), ("Histograms", outcome.histogramsWritten), ("Exemplars", 0)]
        for (kind, count) in counts {
            if let name = HTTPField.Name("X-Prometheus-Remote-Write-\(kind)-Written") { headers[name] = String(count) }
        }
    }
}
