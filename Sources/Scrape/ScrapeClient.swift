import AsyncHTTPClient
import Config
import Exposition
import Foundation
import MetricModel
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOSSL
import OutgoingHTTP

/// Fetches `/metrics` bodies for one scrape job: its TLS, authentication and content negotiation.
public final class ScrapeClient: Sendable {
    let http: HTTPClient
    let config: ScrapeConfig
    let accept: String
    let userAgent: String
    /// Runs the job's probe module instead of fetching `/metrics` (a `probe` job).
    let prober: Prober?

    /// Builds the client; fails with a readable message when TLS files cannot be loaded.
    /// `userAgent` is sent with every scrape.
    public init(config: ScrapeConfig, userAgent: String) throws(ScrapeError) {
        self.config = config
        self.userAgent = userAgent
        let tls: TLSConfiguration
        do { tls = try config.httpClient.tlsConfig.makeClientConfiguration() } catch {
            throw ScrapeError("job \(config.jobName): \(error)")
        }
        var conf = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: config.httpClient.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow,
            // A gzip bomb stops at the same bound as a plain body, before it is in memory.
            decompression: config.enableCompression ? .enabled(limit: .size(Self.bodyLimit(config.limits.bodySizeLimit))) : .disabled
        )
        conf.httpVersion = config.httpClient.enableHTTP2 ? .automatic : .http1Only
        conf.connectionPool = .init(idleTimeout: .seconds(90))
        conf.http1_1ConnectionDebugInitializer = Self.limitReadBuffers
        conf.http2ConnectionDebugInitializer = Self.limitReadBuffers
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: conf)
        self.accept = Self.acceptHeader(config.scrapeProtocols, escaping: config.nameSchemes.escaping)
        self.prober = try config.probe.map { probe throws(ScrapeError) in try Prober(module: probe.module, userAgent: userAgent) }
    }

    /// The scrape's `Accept` header: the configured protocols in order of preference; the formats
    /// that can carry UTF-8 names (protobuf and the 1.0.0 versions) say how the target should
    /// escape names.
    static func acceptHeader(_ protocols: [String], escaping: NameEscapingScheme) -> String {
        let escape = ";escaping=" + escaping.rawValue
        let media: [String: String] = [
            "PrometheusProto": "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited" + escape,
            "OpenMetricsText1.0.0": "application/openmetrics-text;version=1.0.0" + escape,
            "OpenMetricsText0.0.1": "application/openmetrics-text;version=0.0.1",
            "PrometheusText1.0.0": "text/plain;version=1.0.0" + escape,
            "PrometheusText0.0.4": "text/plain;version=0.0.4",
        ]
        var parts: [String] = []
        var q = 5
        for p in protocols {
            guard let m = media[p] else { continue }
            parts.append("\(m);q=0.\(q)")
            q = max(2, q - 1)
        }
        parts.append("*/*;q=0.1")
        return parts.joined(separator: ",")
    }

    /// Bodies above this are refused even without `body_size_limit` (Prometheus' 0, no limit):
    /// an endless or decompressed-bomb body must end before it fills memory. No real exposition
    /// comes near it.
    public static let defaultBodyLimit = 512 << 20

    /// `body_size_limit`, or ``defaultBodyLimit`` when it is 0.
    static func bodyLimit(_ configured: Int) -> Int { configured > 0 ? configured : defaultBodyLimit }

    /// A fetched body and its declared format.
    public struct Response: Sendable {
        public var body: [UInt8]
        public var format: ExpositionFormat
    }

    /// GETs `url` within `timeout`, enforcing `body_size_limit` on the uncompressed body.
    public func fetch(url: String, timeout: Duration) async throws(ScrapeError) -> Response {
        if let prober { return Response(body: await prober.probe(target: url, timeout: timeout), format: .text) }
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: userAgent)
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(seconds))
        if config.enableCompression { request.headers.add(name: "Accept-Encoding", value: "gzip") } else {
            request.headers.add(name: "Accept-Encoding", value: "identity")
        }
        if let auth = try await authorizationHeader() { request.headers.add(name: "Authorization", value: auth) }
        let limit = Self.bodyLimit(config.limits.bodySizeLimit)
        // Clamped: a configured timeout of centuries would overflow nanoseconds.
        let deadline = NIODeadline.now() + timeout.timeAmount(clampedTo: .zero ... .seconds(1_000_000_000))
        do {
            let response = try await http.execute(request, deadline: deadline)
            guard response.status == .ok else {
                throw ScrapeError("server returned HTTP status \(response.status.code) \(response.status.reasonPhrase)")
            }
            var body: [UInt8] = []
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > 0, length < 256 << 20 {
                body.reserveCapacity(length)
            }
            for try await chunk in response.body {
                if NIODeadline.now() > deadline { throw ScrapeError("context deadline exceeded") }
                if body.count + chunk.readableBytes > limit {
                    throw ScrapeError("body size limit exceeded (limit: \(limit) bytes)")
                }
                chunk.withUnsafeReadableBytes { body.append(contentsOf: $0) }
            }
            return Response(body: body, format: ExpositionFormat(contentType: response.headers.first(name: "Content-Type")))
        } catch let e as ScrapeError {
            throw e
        } catch let e as HTTPClientError where e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
            throw ScrapeError("context deadline exceeded (timeout \(seconds)s)")
        } catch {
            throw ScrapeError(Self.describe(error))
        }
    }

    static func describe(_ error: Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if let decompression = error as? NIOHTTPDecompression.DecompressionError {
            return decompression == .limit ? "body size limit exceeded after decompression" : "cannot decompress the body: \(decompression)"
        }
        return text
    }

    /// The Authorization header (secret files are read at every scrape; OAuth2 tokens are
    /// fetched once and renewed before they expire).
    func authorizationHeader() async throws(ScrapeError) -> String? {
        do { return try await OAuth2Tokens.authorizationHeader(for: config.httpClient) } catch { throw ScrapeError("\(error)") }
    }

    public func shutdown() async {
        await prober?.shutdown()
        try? await http.shutdown()
    }
}
