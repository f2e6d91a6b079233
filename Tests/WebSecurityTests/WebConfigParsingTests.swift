import ConfigSupport
import Testing
import WebSecurity

/// The web configuration file as Prometheus defines it, and every mistake refused at load with its line.
@Suite struct WebConfigParsingTests {
    static let hash = "$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG"

    @Test func readsEveryFieldOfPrometheusFormat() throws {
        let config = try WebConfig.parse("""
            tls_server_config:
              cert_file: server.crt
              key_file: /etc/vigil/server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
              client_allowed_sans: [grafana.internal]
              min_version: TLS13
              max_version: TLS13
              cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
              prefer_server_cipher_suites: false
              curve_preferences: [X25519, CurveP256]
            http_server_config:
              http2: false
              headers:
                x-frame-options: SAMEORIGIN
                Content-Security-Policy: default-src 'self'
            basic_auth_users:
              alice: \(Self.hash)
            rate_limit: {interval: 100ms, burst: 5}
            """, file: "web.yml", directory: "/srv/conf")
        let tls = try #require(config.tlsServer)
        #expect(tls.certFile == "/srv/conf/server.crt")
        #expect(tls.keyFile == "/etc/vigil/server.key")
        #expect(tls.clientCAFile == "/srv/conf/ca.crt")
        #expect(tls.clientAuth == .requireAndVerifyClientCert)
        #expect(tls.clientAllowedSANs == ["grafana.internal"])
        #expect(tls.minVersion == .tls13 && tls.maxVersion == .tls13)
        #expect(tls.curvePreferences == ["X25519", "CurveP256"])
        #expect(!tls.preferServerCipherSuites)
        #expect(!config.httpServer.http2)
        #expect(config.httpServer.headers.map(\.name) == ["X-Frame-Options", "Content-Security-Policy"])
        #expect(config.basicAuthUsers["alice"]?.value == Self.hash)
        #expect("\(config.basicAuthUsers["alice"]!)" == "<secret>")
        #expect(config.rateLimit == WebConfig.RateLimit(interval: .init(milliseconds: 100), burst: 5))
    }

    @Test func anEmptyFileOrEmptyTLSBlockMeansPlainHTTPWithoutUsers() throws {
        #expect(try WebConfig.parse("", file: "web.yml") == WebConfig())
        #expect(try WebConfig.parse("tls_server_config: {}\n", file: "web.yml").tlsServer == nil)
    }

    @Test(arguments: [
        ("basic_auth_users:\n  alice: hunter2\n", 2, "not a bcrypt hash"),
        ("basic_auth_users:\n  alice: $2y$03$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG\n", 2, "not a bcrypt hash"),
        ("tls_server_config:\n  cert_file: a.crt\n", 2, "missing key_file"),
        ("tls_server_config:\n  key_file: a.key\n", 2, "missing cert_file"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n", 2, "invalid client_auth_type"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n", 2, "needs client_ca_file"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n", 2, "without a client_auth_type"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n", 2, "unknown TLS version"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n", 2, "max_version"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_FANCY]\n", 2, "unknown cipher"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [CurveP999]\n", 2, "unknown curve"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_allowed_sans: [x]\n", 2, "client_allowed_sans"),
        ("http_server_config:\n  headers:\n    Set-Cookie: x\n", 2, "can not be configured"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", 2, "X-Frame-Options"),
        ("rate_limit: {interval: 1s, burst: 0}\n", 1, "burst"),
        ("basic_auth_user:\n  alice: x\n", 2, "field basic_auth_user not found"),
    ])
    func refusesMistakesWithTheirLine(text: String, line: Int, message: String) {
        #expect {
            try WebConfig.parse(text, file: "web.yml")
        } throws: { error in
            guard let e = error as? ConfigError else { return false }
            return e.line == line && e.message.contains(message)
        }
    }

    @Test func bcryptHashesAreCheckedForShape() {
        #expect(BcryptHash.isWellFormed(Self.hash))
        #expect(BcryptHash.isWellFormed("$2b$04$" + String(repeating: "a", count: 53)))
        #expect(!BcryptHash.isWellFormed("$2x$10$" + String(repeating: "a", count: 53)))
        #expect(!BcryptHash.isWellFormed("$2b$32$" + String(repeating: "a", count: 53)))
        #expect(!BcryptHash.isWellFormed("$2b$10$" + String(repeating: "!", count: 53)))
        #expect(!BcryptHash.isWellFormed(""))
        #expect(BcryptHash.hash("x", cost: 3) == nil)
        #expect(BcryptHash.hash(String(repeating: "x", count: 73), cost: 4) == nil)
        #expect(BcryptHash.hash("x", cost: 4).map(BcryptHash.isWellFormed) == true)
    }
}
