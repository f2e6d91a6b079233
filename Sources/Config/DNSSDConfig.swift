import ConfigSupport
import MetricModel

/// `dns_sd_configs`: targets from DNS records of the given names, looked up every refresh interval.
public struct DNSSDConfig: Sendable, Hashable {
    /// The record types Prometheus looks up.
    public enum RecordType: String, Sendable, Hashable {
        case srv = "SRV", a = "A", aaaa = "AAAA", mx = "MX", ns = "NS"
    }

    public var names: [String]
    public var type: RecordType
    /// The port of every target; required for all types but SRV (whose records carry one).
    public var port: Int?
    public var refreshInterval: PromDuration

    public init(names: [String], type: RecordType = .srv, port: Int? = nil, refreshInterval: PromDuration = PromDuration(milliseconds: 30_000)) {
        self.names = names
        self.type = type
        self.port = port
        self.refreshInterval = refreshInterval
    }

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> DNSSDConfig {
        var m = try MappingReader(v, what: "dns_sd_config", ctx)
        let names = try m.stringList("names", ctx) ?? []
        guard !names.isEmpty else { throw ctx.error(v, "dns_sd_config: names must not be empty") }
        let typeName = (try m.string("type", ctx) ?? "SRV").uppercased()
        guard let type = RecordType(rawValue: typeName) else {
            throw ctx.error(v, "dns_sd_config: invalid record type \(typeName): must be SRV, A, AAAA, MX or NS")
        }
        let port = try m.int("port", ctx)
        if let port, !(0...65535).contains(port) { throw ctx.error(v, "dns_sd_config: port \(port) is out of range") }
        if type != .srv, port == nil { throw ctx.error(v, "dns_sd_config: a port is required for \(typeName) records") }
        let refresh = try m.duration("refresh_interval", ctx) ?? PromDuration(milliseconds: 30_000)
        guard refresh.milliseconds > 0 else { throw ctx.error(v, "dns_sd_config: refresh_interval must be positive") }
        try m.finish(&ctx)
        return DNSSDConfig(names: names, type: type, port: port, refreshInterval: refresh)
    }
}
