import Hummingbird
import NIOCore

/// In agent mode (`--agent`) Vigil scrapes, keeps a WAL and remote-writes, nothing more: the
/// query, rule, alert and federation endpoints answer 422 `unavailable`, as a Prometheus agent's
/// do, so a dashboard pointed at an agent by mistake says why it gets nothing.
struct AgentModeGuard<Context: RequestContext>: RouterMiddleware {
    /// Paths (and path prefixes, ending in `/`) that need local storage queries, rules or alerts.
    static var unavailable: [String] {
        ["/api/v1/query", "/api/v1/query_range", "/api/v1/query_exemplars", "/api/v1/series", "/api/v1/labels", "/api/v1/label/",
         "/api/v1/rules", "/api/v1/alerts", "/api/v1/format_query", "/api/v1/parse_query", "/api/v1/read", "/federate",
         "/api/v2/", "/api/grafana/", "/api/vigil/"]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let refused = Self.unavailable.contains { $0.hasSuffix("/") ? path.hasPrefix($0) : path == $0 }
        guard refused else { return try await next(request, context) }
        return Response(status: .unprocessableContent, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(
            string: #"{"status":"error","errorType":"unavailable","error":"unavailable with Vigil in agent mode (--agent): it scrapes and remote-writes only"}"#)))
    }
}
