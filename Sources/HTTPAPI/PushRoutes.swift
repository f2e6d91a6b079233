import Hummingbird
import NIOCore
import Push

extension APIRoutes {
    /// Pushed bodies above this are refused before they are read.
    static let maxPushBody = 32 << 20

    /// The Pushgateway's API on Vigil's port, for batch and training jobs:
    /// `PUT`, `POST` and `DELETE /metrics/job/<job>{/<label>/<value>}` (names ending in `@base64`
    /// carry base64 values), text or delimited protobuf bodies (gzip- or deflate-compressed or
    /// not), and `PUT /api/v1/admin/wipe`.
    /// Status codes as the Pushgateway's: 200 for a push, 202 for a delete, 400 with the reason.
    static func addPush(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        let push: @Sendable (Request, VigilRequestContext) async -> Response = { request, _ in
            guard let gateway = pushGateway(backend) else { return disabledOrNotReady(backend) }
            let path = groupPath(request.uri.path)
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: maxPushBody) } catch {
                return text("pushed body larger than \(maxPushBody) bytes\n", .contentTooLarge)
            }
            let inflated: ByteBuffer
            do throws(RequestBodyDecompression.Failure) {
                inflated = try RequestBodyDecompression.decode(body, encoding: request.headers[.contentEncoding], limit: maxPushBody)
            } catch {
                if case .unsupported = error { return text("\(error)\n", .unsupportedMediaType) }
                return text("\(error)\n", .badRequest)
            }
            do throws(PushError) {
                try gateway.push(path: path, method: request.method == .put ? .replaceGroup : .replaceFamilies,
                                 body: Array(inflated.readableBytesView), contentType: request.headers[.contentType])
                return text("")
            } catch {
                return failure(error)
            }
        }
        router.put("/metrics/job/**", use: push)
        router.post("/metrics/job/**", use: push)
        router.put("/metrics/job@base64/**", use: push)
        router.post("/metrics/job@base64/**", use: push)
        let delete: @Sendable (Request, VigilRequestContext) async -> Response = { request, _ in
            guard let gateway = pushGateway(backend) else { return disabledOrNotReady(backend) }
            do throws(PushError) {
                try gateway.delete(path: groupPath(request.uri.path))
                return text("", .accepted)
            } catch {
                return failure(error)
            }
        }
        router.delete("/metrics/job/**", use: delete)
        router.delete("/metrics/job@base64/**", use: delete)
        // The Pushgateway's JSON listing of every group, which its UI and scripts read.
        router.get("/api/v1/metrics") { _, _ -> Response in
            guard let gateway = pushGateway(backend) else { return disabledOrNotReady(backend) }
            return json(PushedMetricsJSON.render(gateway.groups))
        }
        router.put("/api/v1/admin/wipe") { _, _ -> Response in
            guard let gateway = pushGateway(backend) else { return disabledOrNotReady(backend) }
            do throws(PushError) {
                try gateway.wipe()
                return text("", .accepted)
            } catch {
                return failure(error)
            }
        }
    }

    private static func pushGateway(_ backend: any APIBackend) -> PushGateway? {
        backend.settings.pushEnabled ? backend.pushGateway : nil
    }

    private static func disabledOrNotReady(_ backend: any APIBackend) -> Response {
        backend.settings.pushEnabled
            ? text("Vigil is not ready yet\n", .serviceUnavailable)
            : text("the push API needs to be enabled with --web.enable-push-api\n", .notFound)
    }

    /// The grouping-key part of the request path, after `/metrics/`.
    private static func groupPath(_ path: String) -> Substring {
        let prefix = "/metrics/"
        return path.hasPrefix(prefix) ? path.dropFirst(prefix.count) : Substring(path)
    }

    private static func failure(_ error: PushError) -> Response {
        switch error.kind {
        case .badPath, .badBody, .rejected: return text(error.message + "\n", .badRequest)
        case .storage: return text(error.message + "\n", .internalServerError)
        }
    }
}
