import Hummingbird
import NIOCore
import RemoteWrite

extension APIRoutes {
    /// Bodies above this (compressed or inflated) are refused.
    static let maxOTLPBody = 32 << 20

    /// `POST /api/v1/otlp/v1/metrics`: the OTLP/HTTP metrics receiver (protobuf or JSON, plain or
    /// gzip), named and labelled by the configuration's `otlp` section.
    static func addOTLP(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        router.post("/api/v1/otlp/v1/metrics") { request, _ -> Response in
            guard backend.settings.otlpEnabled else {
                return text("OTLP receiver needs to be enabled with --web.enable-otlp-receiver\n", .notFound)
            }
            let encoding: OTLPReceiver.Encoding
            do { encoding = try OTLPReceiver.encoding(contentType: request.headers[.contentType]) } catch {
                return text("\(error)\n", .unsupportedMediaType)
            }
            func failure(_ message: String, _ status: HTTPResponse.Status, code: Int32) -> Response {
                let body = OTLPReceiver.errorBody(message, code: code, encoding: encoding)
                return Response(status: status, headers: [.contentType: encoding.contentType], body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
            guard let appendable = backend.appendable, let config = backend.config else {
                return failure("Vigil is not ready yet", .serviceUnavailable, code: 14)
            }
            let collected: ByteBuffer
            do { collected = try await request.body.collect(upTo: maxOTLPBody) } catch {
                return failure("request body larger than \(maxOTLPBody) bytes", .contentTooLarge, code: 3)
            }
            let body: ByteBuffer
            do throws(RequestBodyDecompression.Failure) {
                body = try RequestBodyDecompression.decode(collected, encoding: request.headers[.contentEncoding], limit: maxOTLPBody)
            } catch {
                return failure("\(error)", .badRequest, code: 3)
            }
            let receiver = OTLPReceiver(storage: appendable, config: config.otlp, deltaStreams: backend.settings.otlpDeltaStreams)
            do {
                let outcome = try receiver.receive(Array(body.readableBytesView), encoding: encoding)
                let answer = OTLPReceiver.responseBody(outcome, encoding: encoding)
                return Response(status: .ok, headers: [.contentType: encoding.contentType], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
            } catch let e as OTLPReceiver.RequestError {
                if case .storage = e { return failure("\(e)", .serviceUnavailable, code: 14) }
                return failure("\(e)", .badRequest, code: 3)
            }
        }
    }
}
