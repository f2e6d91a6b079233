import ConfigSupport
import MetricModel

/// Prometheus' web configuration file (`--web.config.file`): TLS for the server, response
/// headers, users allowed in by basic auth with bcrypt-hashed passwords, and a request rate limit.
/// The same file format Prometheus, Alertmanager and every exporter read.
public struct WebConfig: Sendable, Hashable {
    /// `tls_server_config`: present only when the server speaks TLS.
    public var tlsServer: TLSServer?
    /// `http_server_config`.
    public var httpServer = HTTPServer()
    /// `basic_auth_users`: user name → bcrypt hash. Empty means no authentication.
    public var basicAuthUsers: [String: Secret] = [:]
    /// `rate_limit`: nil (or an interval of 0) means no limit.
    public var rateLimit: RateLimit?

    public init() {}

    /// The server's certificate and how it treats client certificates.
    public struct TLSServer: Sendable, Hashable {
        public var certFile: String?
        /// An inline PEM certificate (instead of `cert_file`).
        public var cert: String?
        public var keyFile: String?
        /// An inline PEM key (instead of `key_file`).
        public var key: Secret?
        public var clientCAFile: String?
        /// An inline PEM CA bundle (instead of `client_ca_file`).
        public var clientCA: String?
        public var clientAuth: ClientAuthType = .noClientCert
        /// `client_allowed_sans`: a client certificate must carry one of these SANs (exact match).
        public var clientAllowedSANs: [String] = []
        public var minVersion: TLSVersionName = .tls12
        public var maxVersion: TLSVersionName = .tls13
        /// `cipher_suites` by their IANA names (as Go names them); empty means the defaults.
        public var cipherSuites: [String] = []
        public var preferServerCipherSuites = true
        /// `curve_preferences` by Go's names (`X25519`, `CurveP256`, `CurveP384`, `CurveP521`).
        public var curvePreferences: [String] = []

        public init() {}
    }

    /// Go's `tls.ClientAuthType` names, as the file spells them.
    public enum ClientAuthType: String, Sendable, Hashable, CaseIterable {
        case noClientCert = "NoClientCert"
        /// Asks for a certificate; accepts the connection without one and does not verify it.
        case requestClientCert = "RequestClientCert"
        /// Requires a certificate but does not verify it.
        case requireAnyClientCert = "RequireAnyClientCert"
        /// Verifies a certificate when one is sent.
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        /// Requires a certificate signed by `client_ca_file`: mutual TLS.
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

        /// Whether a client certificate is checked against the client CA.
        public var verifies: Bool { self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert }
        /// Whether a connection without a client certificate is refused.
        public var requires: Bool { self == .requireAnyClientCert || self == .requireAndVerifyClientCert }
    }

    /// `TLS10` … `TLS13`.
    public enum TLSVersionName: String, Sendable, Hashable, Comparable, CaseIterable {
        case tls10 = "TLS10", tls11 = "TLS11", tls12 = "TLS12", tls13 = "TLS13"

        public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
        private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    }

    /// `http_server_config`.
    public struct HTTPServer: Sendable, Hashable {
        /// Accepted for compatibility; Vigil serves HTTP/1.1.
        public var http2 = true
        /// Headers added to every response, in file order.
        public var headers: [ResponseHeader] = []
        public init() {}
    }

    /// One header of `http_server_config.headers`.
    public struct ResponseHeader: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `rate_limit`: a token bucket refilled one request per `interval`, holding `burst`.
    public struct RateLimit: Sendable, Hashable {
        public var interval: PromDuration
        public var burst: Int

        public init(interval: PromDuration, burst: Int) {
            self.interval = interval
            self.burst = burst
        }
    }

    /// Whether requests need a user name and password.
    public var requiresBasicAuth: Bool { !basicAuthUsers.isEmpty }
}
