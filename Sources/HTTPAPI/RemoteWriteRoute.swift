import Hummingbird
import NIOCore
import RemoteWrite

extension APIRoutes {
    /// Compressed bodies above this are refused before decoding.
    static let maxRemoteWriteBody = 32 << 20

    /// `POST /api/v1/write`: the remote-write 1.0 receiver.
    static func addRemoteWrite(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        router.post("/api/v1/write") { request, _ -> Response in
            guard backend.settings.remoteWriteEnabled else {
                return text("remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n", .notFound)
            }
            guard let appendable = backend.appendable else { return text("Vigil is not ready yet\n", .serviceUnavailable) }
            do {
                try RemoteWriteReceiver.checkContentType(request.headers[.contentType])
            } catch {
                return text("\(error)\n", .unsupportedMediaType)
            }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: maxRemoteWriteBody) } catch {
                return text("request body larger than \(maxRemoteWriteBody) bytes\n", .badRequest)
            }
            let receiver = RemoteWriteReceiver(storage: appendable)
            do {
                let outcome = try receiver.receive(compressed: Array(body.readableBytesView))
                return outcome.isComplete ? Response(status: .noContent) : text(outcome.summary + "\n", .badRequest)
            } catch let e as RemoteWriteReceiver.RequestError {
                if case .storage = e { return text("\(e)\n", .internalServerError) }
                return text("\(e)\n", .badRequest)
            }
        }
    }
}
