import Config
import MetricModel

/// The pods, services and nodes whose labels another role's targets carry: an endpoint's pod
/// and service, a pod's or endpoint's node (`attach_metadata.node`). Keyed by `namespace/name`;
/// nodes, which have no namespace, by `/name`.
package struct KubernetesJoin: Sendable {
    /// Each pod's group as the pod role makes it: pod labels, and per container port its labels.
    package var pods: [String: TargetGroup] = [:]
    /// Each service's namespace, name, labels and annotations.
    package var services: [String: Labels] = [:]
    /// Each node's name, labels and annotations.
    package var nodes: [String: Labels] = [:]

    package init() {}

    func node(_ name: String?) -> Labels? { name.flatMap { nodes["/" + $0] } }
}

extension KubernetesTargets {
    /// What a service lends to its endpoints' targets.
    static func serviceJoinLabels(_ service: Object) -> Labels? {
        guard let (metadata, name, namespace) = identity(service) else { return nil }
        var labels = [Label(prefix + "namespace", namespace), Label(prefix + "service_name", name)]
        metadataLabels(metadata, kind: "service", into: &labels)
        return Labels(labels)
    }

    /// What a node lends to the pods and endpoints on it.
    static func nodeJoinLabels(_ node: Object) -> Labels? {
        guard let (metadata, name, _) = identity(node) else { return nil }
        var labels = [Label(prefix + "node_name", name)]
        metadataLabels(metadata, kind: "node", into: &labels)
        return Labels(labels)
    }

    /// The group of an Endpoints or EndpointSlice object: each address with its service's labels,
    /// its pod's labels (and the matching container port's), and its node's when asked; then,
    /// for every pod seen, a target for each declared container port no address covered, so a
    /// metrics port the service does not expose is still found.
    package static func group(for endpoints: KubernetesEndpoints, join: KubernetesJoin, attachNode: Bool) -> TargetGroup {
        var shared = endpoints.labels
        if let service = endpoints.service, let labels = join.services[endpoints.namespace + "/" + service] {
            shared += labels.pairs
        }
        var targets: [String] = []
        var targetLabels: [Labels] = []
        var seenPods: [String] = []
        var coveredPorts: Set<String> = []
        for address in endpoints.addresses {
            var labels = address.labels
            if let pod = address.pod, let group = join.pods[endpoints.namespace + "/" + pod] {
                if !seenPods.contains(pod) { seenPods.append(pod) }
                labels += group.labels.pairs
                if let port = address.port {
                    let portText = String(port)
                    coveredPorts.insert(pod + "/" + portText + "/" + address.portProtocol)
                    if let index = group.targetLabels.firstIndex(where: {
                        $0[prefix + "pod_container_port_number"] == portText && $0[prefix + "pod_container_port_protocol"] == address.portProtocol
                    }) {
                        labels += group.targetLabels[index].pairs
                    }
                }
            }
            if attachNode, let node = join.node(address.node) { labels += node.pairs }
            targets.append(address.port.map { TargetAddress.join(address.host, $0) } ?? address.host)
            targetLabels.append(Labels(labels))
        }
        for pod in seenPods {
            guard let group = join.pods[endpoints.namespace + "/" + pod] else { continue }
            for (target, labels) in zip(group.targets, group.targetLabels) {
                let number = labels[prefix + "pod_container_port_number"]
                guard !number.isEmpty, !coveredPorts.contains(pod + "/" + number + "/" + labels[prefix + "pod_container_port_protocol"]) else { continue }
                targets.append(target)
                targetLabels.append(Labels(group.labels.pairs + labels.pairs))
            }
        }
        return TargetGroup(targets: targets, labels: Labels(shared), targetLabels: targetLabels, source: endpoints.source)
    }
}
