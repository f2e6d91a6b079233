import ConfigSupport
import MetricModel

/// `kubernetes_sd_configs`: targets from the Kubernetes API, listed and then watched.
public struct KubernetesSDConfig: Sendable, Hashable {
    /// The kind of object that becomes targets.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case pod, service, node, endpoints, endpointslice, ingress
    }

    /// A label or field selector for one role (`selectors`).
    public struct Selector: Sendable, Hashable {
        public var role: Role
        public var label: String?
        public var field: String?

        public init(role: Role, label: String?, field: String?) {
            self.role = role
            self.label = label
            self.field = field
        }
    }

    public var role: Role
    /// The API server's URL; nil means in-cluster (the service account's token and CA).
    public var apiServer: String?
    public var kubeconfigFile: String?
    /// Namespaces to watch (empty: all), and whether to add the pod's own namespace.
    public var namespaces: [String] = []
    public var ownNamespace = false
    public var selectors: [Selector] = []
    /// `attach_metadata.node`: add the node's labels to pod targets.
    public var attachNodeMetadata = false
    /// Authentication and TLS towards the API server.
    public var httpClient = HTTPClientConfig()

    public init(role: Role) { self.role = role }

    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext) throws(ConfigError) -> KubernetesSDConfig {
        var m = try MappingReader(v, what: "kubernetes_sd_config", ctx)
        guard let roleName = try m.string("role", ctx) else { throw ctx.error(v, "kubernetes_sd_config: role is missing") }
        guard let role = Role(rawValue: roleName) else {
            throw ctx.error(v, "kubernetes_sd_config: unknown role \(roleName): must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var c = KubernetesSDConfig(role: role)
        c.apiServer = try m.string("api_server", ctx)
        c.kubeconfigFile = try m.string("kubeconfig_file", ctx)
        if c.apiServer != nil, c.kubeconfigFile != nil {
            throw ctx.error(v, "kubernetes_sd_config: api_server and kubeconfig_file are mutually exclusive")
        }
        if let api = c.apiServer {
            let lower = api.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                throw ctx.error(v, "kubernetes_sd_config: api_server must be an http or https URL: \(api)")
            }
        }
        if let ns = m.take("namespaces") {
            var n = try MappingReader(ns, what: "namespaces", ctx)
            c.namespaces = try n.stringList("names", ctx) ?? []
            c.ownNamespace = try n.bool("own_namespace", ctx) ?? false
            try n.finish(&ctx)
        }
        for item in try m.sequence("selectors", ctx) ?? [] {
            var s = try MappingReader(item, what: "selector", ctx)
            guard let r = try s.string("role", ctx), let selectorRole = Role(rawValue: r) else {
                throw ctx.error(item, "kubernetes_sd_config: a selector needs a valid role")
            }
            let selector = Selector(role: selectorRole, label: try s.string("label", ctx), field: try s.string("field", ctx))
            try s.finish(&ctx)
            c.selectors.append(selector)
        }
        if let meta = m.take("attach_metadata") {
            var a = try MappingReader(meta, what: "attach_metadata", ctx)
            c.attachNodeMetadata = try a.bool("node", ctx) ?? false
            try a.finish(&ctx)
        }
        c.httpClient = try HTTPClientConfig.decode(from: &m, &ctx)
        try m.finish(&ctx, ignoredKnownFields: HTTPClientConfig.ignoredKnownFields)
        return c
    }
}
