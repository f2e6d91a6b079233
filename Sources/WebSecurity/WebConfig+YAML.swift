import ConfigSupport
import MetricModel

extension WebConfig {
    /// Headers `http_server_config.headers` may set, as Prometheus allows them.
    public static let configurableHeaders = [
        "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "X-XSS-Protection", "Strict-Transport-Security",
    ]

    /// Parses and checks a web configuration. Relative paths are resolved against `directory`
    /// (the file's own directory, as Prometheus does). Every mistake is refused here, with its
    /// line, rather than when the first request arrives: a malformed bcrypt hash, a header
    /// that cannot be set, a certificate without its key.
    public static func parse(_ text: String, file: String, directory: String? = nil) throws(ConfigError) -> WebConfig {
        let root = try YAMLValue.parse(text, file: file)
        var ctx = DecodeContext(file: file)
        var m = try MappingReader(root, what: "web.Config", ctx)
        var config = WebConfig()
        let resolve = { (path: String) -> String in
            guard let directory, !path.hasPrefix("/"), !path.isEmpty else { return path }
            return directory.hasSuffix("/") ? directory + path : directory + "/" + path
        }
        if let v = m.take("tls_server_config") { config.tlsServer = try decodeTLS(v, &ctx, resolve: resolve) }
        if let v = m.take("http_server_config") { config.httpServer = try decodeHTTPServer(v, &ctx) }
        if let v = m.take("basic_auth_users") {
            guard case .mapping(let pairs) = v.kind else { throw ctx.error(v, "basic_auth_users: expected a mapping of user names to bcrypt hashes") }
            for (user, hashValue) in pairs {
                let hash = try hashValue.asString(user, ctx)
                guard BcryptHash.isWellFormed(hash) else {
                    throw ctx.error(hashValue, "basic_auth_users: the password of \"\(user)\" is not a bcrypt hash ($2a$, $2b$ or $2y$, a cost from 04 to 31, 53 characters); `vigil hash-password` makes one")
                }
                config.basicAuthUsers[user] = Secret(hash)
            }
        }
        if let v = m.take("rate_limit") {
            var r = try MappingReader(v, what: "rate_limit", ctx)
            let interval = try r.duration("interval", ctx) ?? PromDuration(milliseconds: 0)
            let burst = try r.int("burst", ctx) ?? 0
            try r.finish(&ctx)
            if interval.milliseconds > 0 {
                guard burst > 0 else { throw ctx.error(v, "rate_limit: burst must be at least 1 when an interval is set") }
                config.rateLimit = RateLimit(interval: interval, burst: burst)
            }
        }
        try m.finish(&ctx)
        return config
    }

    private static func decodeTLS(_ v: YAMLValue, _ ctx: inout DecodeContext, resolve: (String) -> String) throws(ConfigError) -> TLSServer? {
        var t = try MappingReader(v, what: "tls_server_config", ctx)
        var tls = TLSServer()
        tls.certFile = try t.string("cert_file", ctx).map(resolve)
        tls.cert = try t.string("cert", ctx)
        tls.keyFile = try t.string("key_file", ctx).map(resolve)
        tls.key = try t.string("key", ctx).map(Secret.init)
        tls.clientCAFile = try t.string("client_ca_file", ctx).map(resolve)
        tls.clientCA = try t.string("client_ca", ctx)
        if let name = try t.string("client_auth_type", ctx) {
            guard let type = ClientAuthType(rawValue: name) else {
                throw ctx.error(v, "tls_server_config: invalid client_auth_type \"\(name)\" (one of \(ClientAuthType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            tls.clientAuth = type
        }
        tls.clientAllowedSANs = try t.stringList("client_allowed_sans", ctx) ?? []
        for (key, keyPath) in [("min_version", \TLSServer.minVersion), ("max_version", \TLSServer.maxVersion)] {
            guard let name = try t.string(key, ctx) else { continue }
            guard let version = TLSVersionName(rawValue: name) else {
                throw ctx.error(v, "tls_server_config: unknown TLS version: \(name)")
            }
            tls[keyPath: keyPath] = version
        }
        tls.cipherSuites = try t.stringList("cipher_suites", ctx) ?? []
        tls.preferServerCipherSuites = try t.bool("prefer_server_cipher_suites", ctx) ?? true
        tls.curvePreferences = try t.stringList("curve_preferences", ctx) ?? []
        try t.finish(&ctx)

        let hasCert = tls.certFile != nil || tls.cert != nil
        let hasKey = tls.keyFile != nil || tls.key != nil
        // An empty block means plain HTTP, as in Prometheus.
        if !hasCert && !hasKey && tls.clientCAFile == nil && tls.clientCA == nil { return nil }
        if tls.certFile != nil && tls.cert != nil { throw ctx.error(v, "tls_server_config: at most one of cert and cert_file must be configured") }
        if tls.keyFile != nil && tls.key != nil { throw ctx.error(v, "tls_server_config: at most one of key and key_file must be configured") }
        if tls.clientCAFile != nil && tls.clientCA != nil { throw ctx.error(v, "tls_server_config: at most one of client_ca and client_ca_file must be configured") }
        guard hasCert else { throw ctx.error(v, "tls_server_config: missing cert_file") }
        guard hasKey else { throw ctx.error(v, "tls_server_config: missing key_file") }
        let hasClientCA = tls.clientCAFile != nil || tls.clientCA != nil
        if hasClientCA && tls.clientAuth == .noClientCert {
            throw ctx.error(v, "tls_server_config: client CA's have been configured without a client_auth_type that uses them")
        }
        if tls.clientAuth.verifies && !hasClientCA {
            throw ctx.error(v, "tls_server_config: client_auth_type \(tls.clientAuth.rawValue) needs client_ca_file")
        }
        if !tls.clientAllowedSANs.isEmpty && !tls.clientAuth.requires {
            throw ctx.error(v, "tls_server_config: client_allowed_sans needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert")
        }
        if tls.maxVersion < tls.minVersion {
            throw ctx.error(v, "tls_server_config: max_version must be at least min_version")
        }
        for name in tls.cipherSuites where TLSServerContextFactory.cipher(named: name) == nil {
            throw ctx.error(v, "tls_server_config: unknown cipher: \(name)")
        }
        for name in tls.curvePreferences where TLSServerContextFactory.curve(named: name) == nil {
            throw ctx.error(v, "tls_server_config: unknown curve: \(name)")
        }
        return tls
    }

    private static func decodeHTTPServer(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> HTTPServer {
        var h = try MappingReader(v, what: "http_server_config", ctx)
        var server = HTTPServer()
        server.http2 = try h.bool("http2", ctx) ?? true
        for (name, value) in try h.stringMap("headers", ctx) ?? [] {
            guard let canonical = configurableHeaders.first(where: { $0.lowercased() == name.lowercased() }) else {
                throw ctx.error(v, "http_server_config: HTTP header \"\(name)\" can not be configured (only \(configurableHeaders.joined(separator: ", ")))")
            }
            switch canonical {
            case "X-Frame-Options" where !["deny", "sameorigin"].contains(value.lowercased()):
                throw ctx.error(v, "http_server_config: invalid value for X-Frame-Options: \"\(value)\" (deny or sameorigin)")
            case "X-Content-Type-Options" where value.lowercased() != "nosniff":
                throw ctx.error(v, "http_server_config: invalid value for X-Content-Type-Options: \"\(value)\" (nosniff)")
            default: break
            }
            if !value.isEmpty { server.headers.append(ResponseHeader(name: canonical, value: value)) }
        }
        try h.finish(&ctx)
        return server
    }
}
