extension HTTPClientConfig {
    /// `oauth2`: a bearer token obtained with the client-credentials grant from `token_url`.
    public struct OAuth2: Sendable, Hashable {
        public var clientID = ""
        public var clientSecret: Secret?
        public var clientSecretFile: String?
        public var scopes: [String] = []
        public var tokenURL = ""
        /// Extra form fields of the token request.
        public var endpointParams: [String: String] = [:]
        /// TLS towards the token endpoint.
        public var tlsConfig = TLSConfig()

        public init() {}
    }

    static func decodeOAuth2(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> OAuth2 {
        var m = try MappingReader(v, what: "oauth2", ctx)
        var o = OAuth2()
        o.clientID = try m.string("client_id", ctx) ?? ""
        o.clientSecret = try m.string("client_secret", ctx).map(Secret.init)
        o.clientSecretFile = try m.string("client_secret_file", ctx)
        o.scopes = try m.stringList("scopes", ctx) ?? []
        o.tokenURL = try m.string("token_url", ctx) ?? ""
        o.endpointParams = Dictionary((try m.stringMap("endpoint_params", ctx) ?? []).map { ($0.0, $0.1) }) { _, last in last }
        if let tls = m.take("tls_config") { o.tlsConfig = try decodeTLS(tls, &ctx) }
        try m.finish(&ctx, ignoredKnownFields: ["proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header"])
        guard !o.tokenURL.isEmpty else { throw ctx.error(v, "oauth2 token_url must be configured") }
        guard !o.clientID.isEmpty else { throw ctx.error(v, "oauth2 client_id must be configured") }
        if o.clientSecret != nil, o.clientSecretFile != nil {
            throw ctx.error(v, "at most one of oauth2 client_secret & client_secret_file must be configured")
        }
        return o
    }
}
