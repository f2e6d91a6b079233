/// How to reach a target over HTTP: authentication, TLS and redirects (Prometheus' `http_config`).
public struct HTTPClientConfig: Sendable, Hashable {
    /// `basic_auth`.
    public struct BasicAuth: Sendable, Hashable {
        public var username: String = ""
        public var usernameFile: String?
        public var password: Secret?
        public var passwordFile: String?

        public init() {}
    }

    /// `authorization` (and the legacy `bearer_token`/`bearer_token_file`).
    public struct Authorization: Sendable, Hashable {
        public var type: String = "Bearer"
        public var credentials: Secret?
        public var credentialsFile: String?

        public init(type: String = "Bearer", credentials: Secret? = nil, credentialsFile: String? = nil) {
            self.type = type
            self.credentials = credentials
            self.credentialsFile = credentialsFile
        }
    }

    /// `tls_config`.
    public struct TLSConfig: Sendable, Hashable {
        public var caFile: String?
        public var ca: String?
        public var certFile: String?
        public var cert: String?
        public var keyFile: String?
        public var key: Secret?
        public var serverName: String?
        public var insecureSkipVerify = false
        public var minVersion: String?
        public init() {}
    }

    public var basicAuth: BasicAuth?
    public var authorization: Authorization?
    /// `oauth2`: client-credentials tokens, fetched and refreshed by the outgoing HTTP client.
    public var oauth2: OAuth2?
    public var tlsConfig = TLSConfig()
    public var followRedirects = true
    public var enableHTTP2 = true
    public var proxyURL: String?

    public init() {}

    package static let ignoredKnownFields: Set<String> = [
        "no_proxy", "proxy_from_environment", "proxy_connect_header", "http_headers",
    ]

    /// Reads the HTTP client fields out of a mapping that also holds other fields (a scrape config).
    package static func decode(from m: inout MappingReader, _ ctx: inout DecodeContext) throws(ConfigError) -> HTTPClientConfig {
        var c = HTTPClientConfig()
        if let v = m.take("basic_auth") {
            var b = try MappingReader(v, what: "basic_auth", ctx)
            var auth = BasicAuth()
            auth.username = try b.string("username", ctx) ?? ""
            auth.usernameFile = try b.string("username_file", ctx)
            auth.password = try b.string("password", ctx).map(Secret.init)
            auth.passwordFile = try b.string("password_file", ctx)
            try b.finish(&ctx)
            if auth.password != nil && auth.passwordFile != nil {
                throw ctx.error(v, "at most one of basic_auth password & password_file must be configured")
            }
            if !auth.username.isEmpty && auth.usernameFile != nil {
                throw ctx.error(v, "at most one of basic_auth username & username_file must be configured")
            }
            c.basicAuth = auth
        }
        if let v = m.take("authorization") {
            var a = try MappingReader(v, what: "authorization", ctx)
            var auth = Authorization()
            auth.type = try a.string("type", ctx) ?? "Bearer"
            auth.credentials = try a.string("credentials", ctx).map(Secret.init)
            auth.credentialsFile = try a.string("credentials_file", ctx)
            try a.finish(&ctx)
            if auth.type.lowercased() == "basic" {
                throw ctx.error(v, "authorization type cannot be set to \"basic\", use \"basic_auth\" instead")
            }
            if auth.credentials != nil && auth.credentialsFile != nil {
                throw ctx.error(v, "at most one of authorization credentials & credentials_file must be configured")
            }
            c.authorization = auth
        }
        let bearer = try m.string("bearer_token", ctx)
        let bearerFile = try m.string("bearer_token_file", ctx)
        if bearer != nil || bearerFile != nil {
            if c.authorization != nil || c.basicAuth != nil {
                throw ctx.error(m.value, "at most one of basic_auth, authorization, bearer_token & bearer_token_file must be configured")
            }
            if bearer != nil && bearerFile != nil {
                throw ctx.error(m.value, "at most one of bearer_token & bearer_token_file must be configured")
            }
            c.authorization = Authorization(type: "Bearer", credentials: bearer.map(Secret.init), credentialsFile: bearerFile)
        }
        if let v = m.take("oauth2") { c.oauth2 = try decodeOAuth2(v, &ctx) }
        if [c.basicAuth != nil, c.authorization != nil, c.oauth2 != nil].filter({ $0 }).count > 1 {
            throw ctx.error(m.value, "at most one of basic_auth, oauth2 & authorization must be configured")
        }
        if let v = m.take("tls_config") { c.tlsConfig = try decodeTLS(v, &ctx) }
        c.followRedirects = try m.bool("follow_redirects", ctx) ?? true
        c.enableHTTP2 = try m.bool("enable_http2", ctx) ?? true
        c.proxyURL = try m.string("proxy_url", ctx)
        return c
    }

    /// Decodes a `tls_config` mapping (scrape targets, Alertmanagers, SMTP servers).
    package static func decodeTLS(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> TLSConfig {
        var t = try MappingReader(v, what: "tls_config", ctx)
        var tls = TLSConfig()
        tls.caFile = try t.string("ca_file", ctx)
        tls.ca = try t.string("ca", ctx)
        tls.certFile = try t.string("cert_file", ctx)
        tls.cert = try t.string("cert", ctx)
        tls.keyFile = try t.string("key_file", ctx)
        tls.key = try t.string("key", ctx).map(Secret.init)
        tls.serverName = try t.string("server_name", ctx)
        tls.insecureSkipVerify = try t.bool("insecure_skip_verify", ctx) ?? false
        tls.minVersion = try t.string("min_version", ctx)
        try t.finish(&ctx, ignoredKnownFields: ["max_version"])
        if tls.serverName != nil {
            ctx.warn(v, "tls_config.server_name is not supported by Vigil yet and is ignored; the certificate must match the target address")
        }
        if (tls.certFile != nil || tls.cert != nil) != (tls.keyFile != nil || tls.key != nil) {
            throw ctx.error(v, "exactly one of key and cert files or values must be configured when a client certificate is used")
        }
        return tls
    }
}
