import AsyncHTTPClient
import ConfigSupport
import Foundation
import NIOCore
import Synchronization

/// Bearer tokens for `oauth2` (client-credentials grant): fetched from `token_url` on first
/// use, kept until shortly before they expire, and shared by every request with the same
/// settings, as the HTTP clients are.
public enum OAuth2Tokens {
    struct Cached {
        var header: String
        var expires: ContinuousClock.Instant
    }

    private static let cache = Mutex<[HTTPClientConfig.OAuth2: Cached]>([:])

    /// Why a token could not be had.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The `Authorization` header for `config`: an OAuth2 bearer token when `oauth2` is set,
    /// otherwise what ``HTTPClientConfig/authorizationHeader()`` gives.
    public static func authorizationHeader(for config: HTTPClientConfig) async throws -> String? {
        guard let oauth = config.oauth2 else { return try config.authorizationHeader() }
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[oauth] }), cached.expires > now { return cached.header }
        let fetched = try await fetch(oauth)
        cache.withLock { $0[oauth] = fetched }
        return fetched.header
    }

    /// Forgets the token of `config`, after the server refused it.
    public static func invalidate(_ config: HTTPClientConfig) {
        guard let oauth = config.oauth2 else { return }
        _ = cache.withLock { $0.removeValue(forKey: oauth) }
    }

    static func fetch(_ oauth: HTTPClientConfig.OAuth2) async throws -> Cached {
        var secret = oauth.clientSecret?.value ?? ""
        if let file = oauth.clientSecretFile { secret = try HTTPClientConfig.readSecretFile(file) }
        var form = [("grant_type", "client_credentials")]
        if !oauth.scopes.isEmpty { form.append(("scope", oauth.scopes.joined(separator: " "))) }
        form += oauth.endpointParams.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var transport = HTTPClientConfig()
        transport.tlsConfig = oauth.tlsConfig
        let client = try OutgoingHTTPClients.client(for: transport)
        var request = HTTPClientRequest(url: oauth.tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        // RFC 6749 2.3.1: the client's id and secret, form-encoded, as basic credentials.
        let credentials = formEncode(oauth.clientID) + ":" + formEncode(secret)
        request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        request.body = .bytes(ByteBuffer(string: form.map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&")))
        let started = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(30))
        var body = try await response.body.collect(upTo: 1 << 20)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        guard response.status.code == 200 else {
            throw Failure(description: "oauth2 token request to \(oauth.tokenURL): HTTP \(response.status.code)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let token = json["access_token"] as? String, !token.isEmpty else {
            throw Failure(description: "oauth2 token response from \(oauth.tokenURL) has no access_token")
        }
        let type = (json["token_type"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "Bearer"
        // Renew ten seconds early; a token without expires_in is used for an hour.
        let lifetime = (json["expires_in"] as? NSNumber).map(\.doubleValue).flatMap { $0.isFinite ? min(max($0, 0), 86_400) : nil } ?? 3600
        let expires = started + .milliseconds(Int64(max(lifetime - 10, 1) * 1000))
        return Cached(header: (type.lowercased() == "bearer" ? "Bearer" : type) + " " + token, expires: expires)
    }

    static func formEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
