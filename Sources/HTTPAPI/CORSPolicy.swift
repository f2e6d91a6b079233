import Hummingbird
import MetricModel

/// `--web.cors.origin` for the API (`/api/…`): a browser page from an origin the regex
/// matches (whole origin, as Prometheus anchors it) may call the API; its preflight `OPTIONS`
/// requests are answered here.
struct CORSPolicy<Context: RequestContext>: RouterMiddleware {
    let origin: AnchoredRegex?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/"), let allowed = origin,
              let requestOrigin = request.headers[.origin], allowed.matches(requestOrigin)
        else { return try await next(request, context) }
        var response: Response
        if request.method == .options {
            response = Response(status: .ok)
        } else {
            response = try await next(request, context)
        }
        response.headers[.accessControlAllowOrigin] = requestOrigin
        response.headers[.accessControlAllowHeaders] = "Accept, Authorization, Content-Type, Origin"
        response.headers[.accessControlAllowMethods] = "GET, POST, DELETE, OPTIONS"
        response.headers[.accessControlExposeHeaders] = "Date"
        response.headers[.vary] = "Origin"
        return response
    }
}
