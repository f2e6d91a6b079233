import ConfigSupport
import Foundation
import MetricModel

/// How a probe job checks its targets (a scrape config's `probe`), in the blackbox exporter's
/// module format, so a team's `blackbox.yml` modules work unchanged: an HTTP request whose
/// status, protocol, TLS and body must be as expected, or a TCP connection (optionally TLS).
public struct ProbeModule: Sendable, Hashable {
    public enum Prober: String, Sendable, Hashable { case http, tcp }

    public var prober: Prober
    /// Nil: the scrape timeout bounds the probe.
    public var timeout: PromDuration?
    public var http = HTTPOptions()
    public var tcp = TCPOptions()

    /// A request header a probe sends.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The `http` section.
    public struct HTTPOptions: Sendable, Hashable {
        public var method = "GET"
        public var headers: [Header] = []
        public var body: String?
        /// Empty: any 2xx status.
        public var validStatusCodes: [Int] = []
        /// Empty: any (`HTTP/1.0`, `HTTP/1.1`, `HTTP/2.0`).
        public var validHTTPVersions: [String] = []
        public var failIfSSL = false
        public var failIfNotSSL = false
        public var failIfBodyMatches: [String] = []
        public var failIfBodyNotMatches: [String] = []
        /// TLS, authentication, redirects and proxy, as any `http_config`.
        public var client = HTTPClientConfig()
    }

    /// The `tcp` section.
    public struct TCPOptions: Sendable, Hashable {
        public var tls = false
        public var tlsConfig = HTTPClientConfig.TLSConfig()
    }

    public init(prober: Prober) { self.prober = prober }

    /// Fields of the blackbox exporter's format that change nothing in Vigil's probes.
    static let acceptedHTTPFields: Set<String> = ["preferred_ip_protocol", "ip_protocol_fallback", "skip_resolve_phase_with_proxy", "compression"]
    static let acceptedTCPFields: Set<String> = ["preferred_ip_protocol", "ip_protocol_fallback", "source_ip_address"]

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> ProbeModule {
        var m = try MappingReader(v, what: "probe module", ctx)
        let proberName = try m.string("prober", ctx) ?? "http"
        guard let prober = Prober(rawValue: proberName) else {
            throw ctx.error(v, "prober \(GoQuotedString.quote(proberName)) is not supported by Vigil (http or tcp)")
        }
        var module = ProbeModule(prober: prober)
        module.timeout = try m.duration("timeout", ctx)
        if let h = m.take("http") {
            var r = try MappingReader(h, what: "http probe", ctx)
            var o = HTTPOptions()
            o.method = try r.string("method", ctx) ?? "GET"
            o.headers = (try r.stringMap("headers", ctx) ?? []).map { Header(name: $0.0, value: $0.1) }
            o.body = try r.string("body", ctx)
            if let codes = try r.sequence("valid_status_codes", ctx) {
                for c in codes {
                    guard case .scalar(let text, _) = c.kind, let code = Int(text), (100...599).contains(code) else {
                        throw ctx.error(c, "valid_status_codes: expected an HTTP status code")
                    }
                    o.validStatusCodes.append(code)
                }
            }
            o.validHTTPVersions = try r.stringList("valid_http_versions", ctx) ?? []
            o.failIfSSL = try r.bool("fail_if_ssl", ctx) ?? false
            o.failIfNotSSL = try r.bool("fail_if_not_ssl", ctx) ?? false
            o.failIfBodyMatches = try r.stringList("fail_if_body_matches_regexp", ctx) ?? []
            o.failIfBodyNotMatches = try r.stringList("fail_if_body_not_matches_regexp", ctx) ?? []
            for pattern in o.failIfBodyMatches + o.failIfBodyNotMatches {
                do { _ = try Regex2(pattern) } catch { throw ctx.error(h, "invalid body regexp \(GoQuotedString.quote(pattern)): \(error)") }
            }
            let noFollow = try r.bool("no_follow_redirects", ctx)
            o.client = try HTTPClientConfig.decode(from: &r, &ctx)
            if noFollow == true { o.client.followRedirects = false }
            try r.finish(&ctx, ignoredKnownFields: acceptedHTTPFields)
            module.http = o
        }
        if let t = m.take("tcp") {
            var r = try MappingReader(t, what: "tcp probe", ctx)
            var o = TCPOptions()
            o.tls = try r.bool("tls", ctx) ?? false
            if let tls = r.take("tls_config") { o.tlsConfig = try HTTPClientConfig.decodeTLS(tls, &ctx) }
            if r.has("query_response") { throw ctx.error(t, "query_response is not supported by Vigil's tcp probes yet") }
            try r.finish(&ctx, ignoredKnownFields: acceptedTCPFields)
            module.tcp = o
        }
        try m.finish(&ctx, ignoredKnownFields: ["icmp", "dns", "grpc"])
        return module
    }
}

/// A scrape config's `probe` (Vigil's): the targets are probed rather than scraped. Either a
/// module written inline, or `module` from the blackbox exporter's `modules_file`.
public struct ProbeConfig: Sendable, Hashable {
    public var module: ProbeModule
    /// Where the module came from, for messages.
    public var source: String

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> ProbeConfig {
        var m = try MappingReader(v, what: "probe", ctx)
        if let file = try m.string("modules_file", ctx) {
            guard let name = try m.string("module", ctx) else { throw ctx.error(v, "probe: modules_file needs the module to use") }
            try m.finish(&ctx)
            let path = FilePaths.resolve(file, against: FilePaths.directory(of: ctx.file))
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ctx.error(v, "probe: cannot read modules_file \(path): \(error.localizedDescription)")
            }
            var fileCtx = DecodeContext(file: path)
            let root: YAMLValue
            root = try YAMLValue.parse(text, file: path)
            var top = try MappingReader(root, what: "blackbox exporter configuration", fileCtx)
            guard let modules = top.take("modules") else { throw fileCtx.error(root, "no modules in \(path)") }
            var all = try MappingReader(modules, what: "modules", fileCtx)
            guard let entry = all.take(name) else { throw ctx.error(v, "probe: module \(GoQuotedString.quote(name)) is not in \(path)") }
            let module = try ProbeModule.decode(entry, &fileCtx)
            return ProbeConfig(module: module, source: "\(path): \(name)")
        }
        if m.has("module") { throw ctx.error(v, "probe: module names a module of a modules_file") }
        let module = try ProbeModule.decode(v, &ctx)
        _ = m
        return ProbeConfig(module: module, source: "inline")
    }
}
