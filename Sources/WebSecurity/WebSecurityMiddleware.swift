import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The one door every request passes, whatever its route (UI, API v1 and v2, Grafana JSON,
/// remote write, /metrics, lifecycle): the rate limit, basic auth against the web
/// configuration's users, and its response headers.
///
/// A missing user, an unknown user and a wrong password all get the same 401 with
/// `WWW-Authenticate`, after the same amount of bcrypt work.
public struct WebSecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    private let store: WebConfigStore

    public init(store: WebConfigStore) { self.store = store }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let state = store.current
        if let limiter = state.rateLimiter, !limiter.allow() {
            return Self.withHeaders(Self.plain(.tooManyRequests, "Too Many Requests\n"), state)
        }
        if let verifier = state.verifier {
            guard let (user, password) = Self.basicCredentials(request.headers[.authorization]),
                  await verifier.verify(user: user, password: password)
            else {
                var response = Self.plain(.unauthorized, "Unauthorized\n")
                response.headers[.wwwAuthenticate] = "Basic"
                return Self.withHeaders(response, state)
            }
        }
        do {
            return Self.withHeaders(try await next(request, context), state)
        } catch let error as any HTTPResponseError {
            return Self.withHeaders(try error.response(from: request, context: context), state)
        }
    }

    /// User and password of an `Authorization: Basic …` header.
    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.count > 6, header.prefix(6).lowercased() == "basic " else { return nil }
        let encoded = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    private static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func withHeaders(_ response: Response, _ state: WebSecurityState) -> Response {
        var response = response
        for header in state.config.httpServer.headers {
            if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
        }
        return response
    }
}
