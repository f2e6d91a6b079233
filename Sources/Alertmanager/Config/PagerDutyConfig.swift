import ConfigSupport
import MetricModel

/// `pagerduty_configs` entry: an event per group sent to PagerDuty's Events API — v2 with a
/// `routing_key`, v1 with a `service_key` — with Alertmanager's fields and defaults. Texts,
/// details, images and links are templates.
public struct PagerDutyConfig: Sendable {
    /// An image shown with the incident (`images`).
    public struct Image: Sendable {
        public var src: String
        public var alt: String
        public var href: String
    }

    /// A link shown with the incident (`links`).
    public struct Link: Sendable {
        public var href: String
        public var text: String
    }

    public var sendResolved = true
    /// Events API v2 integration key (a credential, never shown).
    public var routingKey: Secret?
    public var routingKeyFile: String?
    /// Events API v1 service key (a credential, never shown).
    public var serviceKey: Secret?
    public var serviceKeyFile: String?
    /// The events endpoint; defaults to the global `pagerduty_url` (v2) or the v1 endpoint.
    public var url: String
    public var httpConfig: HTTPClientConfig
    public var client = #"{{ template "pagerduty.default.client" . }}"#
    public var clientURL = #"{{ template "pagerduty.default.clientURL" . }}"#
    public var description = #"{{ template "pagerduty.default.description" .}}"#
    /// Custom details: Alertmanager's four (firing, resolved, num_firing, num_resolved) unless
    /// the configuration names its own value for them.
    public var details: [(String, String)] = PagerDutyConfig.defaultDetails
    public var severity = "error"
    public var source = ""
    public var eventClass = ""
    public var component = ""
    public var group = ""
    public var images: [Image] = []
    public var links: [Link] = []

    /// Whether events go to the Events API v2 (a routing key) rather than v1 (a service key).
    public var usesEventsV2: Bool { routingKey != nil || routingKeyFile != nil }

    static let defaultDetails: [(String, String)] = [
        ("firing", #"{{ template "pagerduty.default.instances" .Alerts.Firing }}"#),
        ("resolved", #"{{ template "pagerduty.default.instances" .Alerts.Resolved }}"#),
        ("num_firing", "{{ .Alerts.Firing | len }}"),
        ("num_resolved", "{{ .Alerts.Resolved | len }}"),
    ]

    /// PagerDuty's endpoints when neither the entry nor `global.pagerduty_url` names one.
    static let eventsV2URL = "https://events.pagerduty.com/v2/enqueue"
    static let eventsV1URL = "https://events.pagerduty.com/generic/2010-04-15/create_event.json"

    static func decode(_ v: YAMLValue, global: AlertmanagerGlobal, _ ctx: inout DecodeContext) throws(ConfigError) -> PagerDutyConfig {
        var m = try MappingReader(v, what: "pagerduty_config", ctx)
        var c = PagerDutyConfig(url: "", httpConfig: global.httpConfig)
        c.sendResolved = try m.bool("send_resolved", ctx) ?? true
        c.routingKey = try m.string("routing_key", ctx).map(Secret.init)
        c.routingKeyFile = try m.string("routing_key_file", ctx)
        c.serviceKey = try m.string("service_key", ctx).map(Secret.init)
        c.serviceKeyFile = try m.string("service_key_file", ctx)
        let keys = [c.routingKey != nil, c.routingKeyFile != nil, c.serviceKey != nil, c.serviceKeyFile != nil].filter { $0 }.count
        if keys == 0 { throw ctx.error(v, "missing service or routing key in PagerDuty config") }
        if c.routingKey != nil && c.routingKeyFile != nil { throw ctx.error(v, "at most one of routing_key & routing_key_file must be configured") }
        if c.serviceKey != nil && c.serviceKeyFile != nil { throw ctx.error(v, "at most one of service_key & service_key_file must be configured") }
        c.url = try m.string("url", ctx) ?? global.pagerdutyURL ?? (c.usesEventsV2 ? eventsV2URL : eventsV1URL)
        if !(c.url.hasPrefix("http://") || c.url.hasPrefix("https://")) { throw ctx.error(v, "unsupported scheme in PagerDuty url (expected http or https)") }
        c.httpConfig = try m.httpConfig(or: c.httpConfig, &ctx)
        c.client = try m.string("client", ctx) ?? c.client
        c.clientURL = try m.string("client_url", ctx) ?? c.clientURL
        c.description = try m.string("description", ctx) ?? c.description
        if let own = try m.stringMap("details", ctx) {
            c.details = Self.defaultDetails.filter { d in !own.contains { $0.0 == d.0 } } + own
        }
        c.severity = try m.string("severity", ctx) ?? c.severity
        c.source = try m.string("source", ctx) ?? c.source
        c.eventClass = try m.string("class", ctx) ?? c.eventClass
        c.component = try m.string("component", ctx) ?? c.component
        c.group = try m.string("group", ctx) ?? c.group
        for item in try m.sequence("images", ctx) ?? [] {
            var i = try MappingReader(item, what: "pagerduty_config.images", ctx)
            c.images.append(Image(src: try i.string("src", ctx) ?? "", alt: try i.string("alt", ctx) ?? "", href: try i.string("href", ctx) ?? ""))
            try i.finish(&ctx)
        }
        for item in try m.sequence("links", ctx) ?? [] {
            var l = try MappingReader(item, what: "pagerduty_config.links", ctx)
            c.links.append(Link(href: try l.string("href", ctx) ?? "", text: try l.string("text", ctx) ?? ""))
            try l.finish(&ctx)
        }
        try m.finish(&ctx)
        return c
    }
}
