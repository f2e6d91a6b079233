import Config

extension KubernetesSDConfig.Role {
    /// The API collection a role's objects are listed and watched at, without a namespace:
    /// the core group (`/api/v1`) or a named one.
    package var apiGroupPath: String {
        switch self {
        case .pod, .service, .node, .endpoints: "/api/v1"
        case .endpointslice: "/apis/discovery.k8s.io/v1"
        case .ingress: "/apis/networking.k8s.io/v1"
        }
    }

    /// The resource name in the API path.
    package var resource: String {
        switch self {
        case .pod: "pods"
        case .service: "services"
        case .node: "nodes"
        case .endpoints: "endpoints"
        case .endpointslice: "endpointslices"
        case .ingress: "ingresses"
        }
    }

    /// Whether the objects live in namespaces (nodes do not).
    package var isNamespaced: Bool { self != .node }

    /// The other roles whose objects this role's targets are joined with: endpoints carry their
    /// service's and pods' labels, and, with `attach_metadata.node`, their node's.
    package func joinedRoles(attachNodeMetadata: Bool) -> [KubernetesSDConfig.Role] {
        switch self {
        case .endpoints, .endpointslice: attachNodeMetadata ? [.pod, .service, .node] : [.pod, .service]
        case .pod: attachNodeMetadata ? [.node] : []
        case .service, .node, .ingress: []
        }
    }
}
