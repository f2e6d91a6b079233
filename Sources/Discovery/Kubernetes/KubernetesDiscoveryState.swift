import Config
import MetricModel

/// What discovery keeps of one watched object: `Sendable` values, not the API's JSON.
package enum KubernetesObject: Sendable, Hashable {
    /// A pod, service, node or ingress as its own role turns it into targets.
    case targets(TargetGroup)
    /// An Endpoints or EndpointSlice object, waiting to be joined with its pods and service.
    case endpoints(KubernetesEndpoints)
    /// A service or node watched only for the labels it lends to other targets.
    case joinLabels(Labels)

    /// What `object` of `role` is kept as: its targets when `role` is the one discovered,
    /// otherwise what the join needs from it.
    package static func from(_ object: [String: Any], role: KubernetesSDConfig.Role, discovered: KubernetesSDConfig.Role) -> KubernetesObject? {
        switch role {
        case .endpoints: return KubernetesTargets.endpoints(object).map(KubernetesObject.endpoints)
        case .endpointslice: return KubernetesTargets.endpointSlice(object).map(KubernetesObject.endpoints)
        case .service where role != discovered: return KubernetesTargets.serviceJoinLabels(object).map(KubernetesObject.joinLabels)
        case .node where role != discovered: return KubernetesTargets.nodeJoinLabels(object).map(KubernetesObject.joinLabels)
        default: return KubernetesTargets.group(for: object, role: role).map(KubernetesObject.targets)
        }
    }
}

/// Everything one `kubernetes_sd_configs` entry has seen, one slot per watch (a role in one
/// namespace), and the target groups made from it. Every change rebuilds the groups, so an
/// endpoint picks up its pod's labels whichever of the two arrives first.
package struct KubernetesDiscoveryState: Sendable {
    package let role: KubernetesSDConfig.Role
    package let attachNode: Bool
    /// The role each slot watches.
    package let slotRoles: [KubernetesSDConfig.Role]
    /// Each slot's objects by `namespace/name`.
    package private(set) var slots: [[String: KubernetesObject]]

    package init(role: KubernetesSDConfig.Role, attachNode: Bool, slotRoles: [KubernetesSDConfig.Role]) {
        self.role = role
        self.attachNode = attachNode
        self.slotRoles = slotRoles
        slots = Array(repeating: [:], count: slotRoles.count)
    }

    /// Replaces what one watch has seen.
    package mutating func set(_ objects: [String: KubernetesObject], slot: Int) { slots[slot] = objects }

    /// The pods, services and nodes watched for joining.
    package var join: KubernetesJoin {
        var join = KubernetesJoin()
        for (slotRole, objects) in zip(slotRoles, slots) where slotRole != role {
            for (key, object) in objects {
                switch (slotRole, object) {
                case (.pod, .targets(let group)): join.pods[key] = group
                case (.service, .joinLabels(let labels)): join.services[key] = labels
                case (.node, .joinLabels(let labels)): join.nodes[key] = labels
                default: break
                }
            }
        }
        return join
    }

    /// The target groups of the discovered role, in a stable order.
    package func groups() -> [TargetGroup] {
        let join = self.join
        var groups: [TargetGroup] = []
        for (slotRole, objects) in zip(slotRoles, slots) where slotRole == role {
            for key in objects.keys.sorted() {
                switch objects[key] {
                case .targets(var group):
                    if role == .pod, attachNode, let node = join.node(group.labels["__meta_kubernetes_pod_node_name"]) {
                        group.labels = Labels(group.labels.pairs + node.pairs)
                    }
                    groups.append(group)
                case .endpoints(let endpoints):
                    groups.append(KubernetesTargets.group(for: endpoints, join: join, attachNode: attachNode))
                case .joinLabels, nil:
                    break
                }
            }
        }
        return groups
    }
}
