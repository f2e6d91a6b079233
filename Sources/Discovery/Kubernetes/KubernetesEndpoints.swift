import Config
import MetricModel

/// An Endpoints or EndpointSlice object, reduced to what its targets are built from. Unlike the
/// API's JSON it is `Sendable`, so it can wait for the pods and services it is joined with.
package struct KubernetesEndpoints: Sendable, Hashable {
    /// One address and port of the object.
    package struct Address: Sendable, Hashable {
        /// The IP or name, and the port (nil: an EndpointSlice port meaning "all ports").
        package var host: String
        package var port: Int?
        package var portProtocol: String
        /// The `__meta_kubernetes_endpoint(slice)_*` labels of this address and port.
        package var labels: [Label]
        /// The pod the address belongs to (`targetRef` of kind Pod), in the object's namespace.
        package var pod: String?
        /// The node the address runs on.
        package var node: String?
    }

    package var namespace: String
    /// The service the object belongs to: an Endpoints object's own name, an EndpointSlice's
    /// `kubernetes.io/service-name` label.
    package var service: String?
    /// The labels every target shares: namespace, name, the object's labels and annotations.
    package var labels: [Label]
    package var addresses: [Address]
    /// The target group's source.
    package var source: String
}

extension KubernetesTargets {
    /// A `v1` Endpoints object: every address (ready or not) of every subset, at each of the
    /// subset's ports.
    static func endpoints(_ object: Object) -> KubernetesEndpoints? {
        guard let (metadata, name, namespace) = identity(object) else { return nil }
        var labels = [Label(prefix + "namespace", namespace), Label(prefix + "endpoints_name", name)]
        metadataLabels(metadata, kind: "endpoints", into: &labels)
        var addresses: [KubernetesEndpoints.Address] = []
        for subset in object["subsets"] as? [Object] ?? [] {
            let ports = subset["ports"] as? [Object] ?? []
            let members = (subset["addresses"] as? [Object] ?? []).map { ($0, "true") }
                + (subset["notReadyAddresses"] as? [Object] ?? []).map { ($0, "false") }
            for port in ports {
                guard let number = int(port, "port"), (1...65535).contains(number) else { continue }
                let portProtocol = port["protocol"] as? String ?? "TCP"
                var portLabels = [
                    Label(prefix + "endpoint_port_name", port["name"] as? String ?? ""),
                    Label(prefix + "endpoint_port_protocol", portProtocol),
                ]
                if let app = port["appProtocol"] as? String { portLabels.append(Label(prefix + "endpoint_port_app_protocol", app)) }
                for (member, ready) in members {
                    guard let ip = member["ip"] as? String, !ip.isEmpty else { continue }
                    let target = member["targetRef"] as? Object
                    let node = member["nodeName"] as? String
                    var address = KubernetesEndpoints.Address(
                        host: ip, port: number, portProtocol: portProtocol,
                        labels: portLabels + [
                            Label(prefix + "endpoint_ready", ready),
                            Label(prefix + "endpoint_hostname", member["hostname"] as? String ?? ""),
                            Label(prefix + "endpoint_node_name", node ?? ""),
                        ],
                        pod: nil, node: node)
                    address.attach(targetRef: target, prefix: prefix + "endpoint_address_")
                    addresses.append(address)
                }
            }
        }
        return KubernetesEndpoints(namespace: namespace, service: name, labels: labels, addresses: addresses,
                                   source: "endpoints/\(namespace)/\(name)")
    }

    /// A `discovery.k8s.io/v1` EndpointSlice: the first address of every endpoint at each of
    /// the slice's ports, with the endpoint's conditions, zone and topology.
    static func endpointSlice(_ object: Object) -> KubernetesEndpoints? {
        guard let (metadata, name, namespace) = identity(object) else { return nil }
        let kind = prefix + "endpointslice_"
        var labels = [
            Label(prefix + "namespace", namespace), Label(kind + "name", name),
            Label(kind + "address_type", object["addressType"] as? String ?? ""),
        ]
        metadataLabels(metadata, kind: "endpointslice", into: &labels)
        let service = (metadata["labels"] as? Object)?["kubernetes.io/service-name"] as? String
        var addresses: [KubernetesEndpoints.Address] = []
        let ports = object["ports"] as? [Object] ?? []
        for port in ports {
            // A port without a number means every port: the target is the bare address.
            let number = int(port, "port")
            if let number, !(1...65535).contains(number) { continue }
            let portProtocol = port["protocol"] as? String ?? "TCP"
            var portLabels = [
                Label(kind + "port", number.map(String.init) ?? ""),
                Label(kind + "port_name", port["name"] as? String ?? ""),
                Label(kind + "port_protocol", portProtocol),
            ]
            if let app = port["appProtocol"] as? String { portLabels.append(Label(kind + "port_app_protocol", app)) }
            for endpoint in object["endpoints"] as? [Object] ?? [] {
                guard let host = (endpoint["addresses"] as? [String])?.first, !host.isEmpty else { continue }
                let node = endpoint["nodeName"] as? String
                var own = portLabels + [
                    Label(kind + "endpoint_hostname", endpoint["hostname"] as? String ?? ""),
                    Label(kind + "endpoint_node_name", node ?? ""),
                    Label(kind + "endpoint_zone", endpoint["zone"] as? String ?? ""),
                ]
                let conditions = endpoint["conditions"] as? Object ?? [:]
                for condition in ["ready", "serving", "terminating"] {
                    if let value = conditions[condition] as? Bool {
                        own.append(Label(kind + "endpoint_conditions_" + condition, value ? "true" : "false"))
                    }
                }
                for (key, value) in endpoint["deprecatedTopology"] as? Object ?? [:] {
                    own.append(Label(kind + "endpoint_topology_" + sanitize(key), value as? String ?? ""))
                    own.append(Label(kind + "endpoint_topology_present_" + sanitize(key), "true"))
                }
                var address = KubernetesEndpoints.Address(host: host, port: number, portProtocol: portProtocol,
                                                           labels: own, pod: nil, node: node)
                address.attach(targetRef: endpoint["targetRef"] as? Object, prefix: kind + "address_")
                addresses.append(address)
            }
        }
        return KubernetesEndpoints(namespace: namespace, service: service, labels: labels, addresses: addresses,
                                   source: "endpointslice/\(namespace)/\(name)")
    }
}

extension KubernetesEndpoints.Address {
    /// Records the object behind the address: `<prefix>target_kind` and `_name`, and the pod's
    /// name when it is one.
    mutating func attach(targetRef: [String: Any]?, prefix: String) {
        guard let targetRef else { return }
        let kind = targetRef["kind"] as? String ?? ""
        let name = targetRef["name"] as? String ?? ""
        labels.append(Label(prefix + "target_kind", kind))
        labels.append(Label(prefix + "target_name", name))
        if kind == "Pod", !name.isEmpty { pod = name }
    }
}
