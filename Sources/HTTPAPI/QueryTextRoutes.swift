import Hummingbird
import NIOCore
import PromQL

extension APIRoutes {
    /// `/api/v1/format_query` (the canonical, pretty-printed query) and `/api/v1/parse_query`
    /// (its syntax tree), GET or POST, as Prometheus' UI and tools use them.
    static func addQueryText(_ router: Router<VigilRequestContext>) {
        let format: @Sendable (Request, VigilRequestContext) async throws -> Response = { request, _ in
            let p = try await APIParameters.from(request)
            switch parsedQuery(p) {
            case .success(let expr):
                var w = JSONWriter()
                w.raw("{\"status\":\"success\",\"data\":")
                w.string(expr.pretty())
                w.raw("}")
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: w.buffer))
            case .failure(let error):
                return error.response
            }
        }
        router.get("/api/v1/format_query", use: format)
        router.post("/api/v1/format_query", use: format)

        let parse: @Sendable (Request, VigilRequestContext) async throws -> Response = { request, _ in
            let p = try await APIParameters.from(request)
            switch parsedQuery(p) {
            case .success(let expr):
                var w = JSONWriter()
                w.raw("{\"status\":\"success\",\"data\":")
                ParseTreeJSON.write(expr, into: &w)
                w.raw("}")
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: w.buffer))
            case .failure(let error):
                return error.response
            }
        }
        router.get("/api/v1/parse_query", use: parse)
        router.post("/api/v1/parse_query", use: parse)
    }

    /// The `query` parameter parsed, or the API's `bad_data` error with the parse position.
    private static func parsedQuery(_ p: APIParameters) -> Result<Expr, ErrorResponse> {
        guard let query = p["query"], !query.isEmpty else {
            return .failure(ErrorResponse(JSONResponse.error(.badData, "invalid parameter \"query\": query must not be empty")))
        }
        do {
            return .success(try Parser.parse(query))
        } catch {
            return .failure(ErrorResponse(JSONResponse.error(.badData, "invalid parameter \"query\": \(error)")))
        }
    }

    /// A response carried as an error, so parsing and responding read as one `Result`.
    private struct ErrorResponse: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }
}
