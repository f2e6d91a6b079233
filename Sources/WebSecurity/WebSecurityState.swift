import NIOSSL

/// What the edge enforces right now, built from one good web configuration: an immutable
/// snapshot that every connection and request reads without waiting.
public struct WebSecurityState: Sendable {
    /// The configuration it was built from.
    public let config: WebConfig
    /// TLS for new connections; nil when the server speaks plain HTTP.
    public let tls: TLS?
    /// The basic-auth check; nil when no users are configured.
    public let verifier: BasicAuthVerifier?
    /// The request rate limit; nil when there is none.
    public let rateLimiter: RateLimiter?

    /// The server's TLS context and how it treats client certificates.
    public struct TLS: Sendable {
        public let context: NIOSSLContext
        /// `RequestClientCert` and `RequireAnyClientCert` take a client certificate unverified.
        public let acceptsUnverifiedClientCertificates: Bool
        public let allowedSANs: [String]
    }

    /// No TLS, no users, no limit: what Vigil does without `--web.config.file`.
    public static let open = WebSecurityState(config: WebConfig(), tls: nil, verifier: nil, rateLimiter: nil)

    /// Builds the state for `config`, reading its certificate files now.
    public init(config: WebConfig) throws(TLSServerMaterialError) {
        self.config = config
        if let server = config.tlsServer {
            tls = TLS(
                context: try TLSServerContextFactory.makeContext(server),
                acceptsUnverifiedClientCertificates: server.clientAuth == .requestClientCert || server.clientAuth == .requireAnyClientCert,
                allowedSANs: server.clientAllowedSANs
            )
        } else {
            tls = nil
        }
        verifier = config.requiresBasicAuth ? BasicAuthVerifier(users: config.basicAuthUsers) : nil
        rateLimiter = config.rateLimit.map { RateLimiter(interval: .milliseconds($0.interval.milliseconds), burst: $0.burst) }
    }

    private init(config: WebConfig, tls: TLS?, verifier: BasicAuthVerifier?, rateLimiter: RateLimiter?) {
        self.config = config
        self.tls = tls
        self.verifier = verifier
        self.rateLimiter = rateLimiter
    }
}
