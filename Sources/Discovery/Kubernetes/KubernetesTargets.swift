import Config
import MetricModel

/// Target groups for one Kubernetes object, with the `__meta_kubernetes_*` labels Prometheus sets
/// for its role, so the community's relabel configurations work unchanged. Objects are the API's
/// JSON, decoded loosely: a field that is missing or of another type is simply absent.
package enum KubernetesTargets {
    package typealias Object = [String: Any]

    static let prefix = "__meta_kubernetes_"

    /// A Kubernetes label or annotation name as a Prometheus label name part.
    package static func sanitize(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { s in
            (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_")) ? s : "_"
        }))
    }

    /// `<kind>_label_*`, `<kind>_labelpresent_*`, `<kind>_annotation_*`, `<kind>_annotationpresent_*`.
    static func metadataLabels(_ metadata: Object, kind: String, into labels: inout [Label]) {
        for (field, word) in [("labels", "label"), ("annotations", "annotation")] {
            guard let map = metadata[field] as? [String: Any] else { continue }
            for (key, value) in map {
                let name = sanitize(key)
                labels.append(Label(prefix + kind + "_" + word + "_" + name, value as? String ?? ""))
                labels.append(Label(prefix + kind + "_" + word + "present_" + name, "true"))
            }
        }
    }

    static func string(_ object: Object?, _ path: String...) -> String? {
        var current: Any? = object
        for key in path { current = (current as? Object)?[key] }
        if let s = current as? String { return s }
        if let n = current as? Int { return String(n) }
        return nil
    }

    static func int(_ object: Object?, _ key: String) -> Int? {
        if let n = object?[key] as? Int { return n }
        if let d = object?[key] as? Double, let n = Int(exactly: d) { return n }
        return nil
    }

    /// The group for `object` of `role`, or nil for an object that yields none.
    package static func group(for object: Object, role: KubernetesSDConfig.Role) -> TargetGroup? {
        switch role {
        case .pod: return pod(object)
        case .service: return service(object)
        case .node: return node(object)
        case .ingress: return ingress(object)
        // Alone, without the pods and services they are joined with in discovery.
        case .endpoints: return endpoints(object).map { group(for: $0, join: KubernetesJoin(), attachNode: false) }
        case .endpointslice: return endpointSlice(object).map { group(for: $0, join: KubernetesJoin(), attachNode: false) }
        }
    }

    /// An object's metadata, name and namespace (empty for cluster-scoped kinds); nil without a name.
    static func identity(_ object: Object) -> (metadata: Object, name: String, namespace: String)? {
        guard let metadata = object["metadata"] as? Object, let name = metadata["name"] as? String else { return nil }
        return (metadata, name, metadata["namespace"] as? String ?? "")
    }

    /// Identity of an object across events.
    package static func key(_ object: Object) -> String? {
        guard let name = string(object, "metadata", "name") else { return nil }
        return (string(object, "metadata", "namespace") ?? "") + "/" + name
    }

    // MARK: Pods

    /// One target per declared container port (a container without ports: one target at the
    /// pod's IP); pods without an IP yet have none.
    static func pod(_ pod: Object) -> TargetGroup? {
        guard let (metadata, name, namespace) = identity(pod) else { return nil }
        let source = "pod/\(namespace)/\(name)"
        let status = pod["status"] as? Object
        guard let ip = string(status, "podIP"), !ip.isEmpty else { return TargetGroup(targets: [], source: source) }
        var labels = [
            Label(prefix + "namespace", namespace), Label(prefix + "pod_name", name), Label(prefix + "pod_ip", ip),
            Label(prefix + "pod_node_name", string(pod, "spec", "nodeName") ?? ""),
            Label(prefix + "pod_host_ip", string(status, "hostIP") ?? ""),
            Label(prefix + "pod_uid", metadata["uid"] as? String ?? ""),
            Label(prefix + "pod_phase", string(status, "phase") ?? ""),
            Label(prefix + "pod_ready", podReady(status)),
        ]
        if let owners = metadata["ownerReferences"] as? [Object],
           let controller = owners.first(where: { $0["controller"] as? Bool == true }) {
            labels.append(Label(prefix + "pod_controller_kind", controller["kind"] as? String ?? ""))
            labels.append(Label(prefix + "pod_controller_name", controller["name"] as? String ?? ""))
        }
        metadataLabels(metadata, kind: "pod", into: &labels)

        var targets: [String] = []
        var targetLabels: [Labels] = []
        let statuses = (status?["containerStatuses"] as? [Object] ?? []) + (status?["initContainerStatuses"] as? [Object] ?? [])
        func containerID(_ container: String) -> String {
            statuses.first { $0["name"] as? String == container }?["containerID"] as? String ?? ""
        }
        let spec = pod["spec"] as? Object
        let containers = (spec?["containers"] as? [Object] ?? []).map { ($0, false) }
            + (spec?["initContainers"] as? [Object] ?? []).map { ($0, true) }
        for (container, isInit) in containers {
            let containerName = container["name"] as? String ?? ""
            let common = [
                Label(prefix + "pod_container_name", containerName),
                Label(prefix + "pod_container_image", container["image"] as? String ?? ""),
                Label(prefix + "pod_container_id", containerID(containerName)),
                Label(prefix + "pod_container_init", isInit ? "true" : "false"),
            ]
            let ports = container["ports"] as? [Object] ?? []
            if ports.isEmpty {
                targets.append(ip)
                targetLabels.append(Labels(common))
                continue
            }
            for port in ports {
                guard let number = int(port, "containerPort"), (1...65535).contains(number) else { continue }
                targets.append(TargetAddress.join(ip, number))
                targetLabels.append(Labels(common + [
                    Label(prefix + "pod_container_port_name", port["name"] as? String ?? ""),
                    Label(prefix + "pod_container_port_number", String(number)),
                    Label(prefix + "pod_container_port_protocol", port["protocol"] as? String ?? "TCP"),
                ]))
            }
        }
        return TargetGroup(targets: targets, labels: Labels(labels), targetLabels: targetLabels, source: source)
    }

    static func podReady(_ status: Object?) -> String {
        let conditions = status?["conditions"] as? [Object] ?? []
        guard let ready = conditions.first(where: { $0["type"] as? String == "Ready" }) else { return "unknown" }
        return (ready["status"] as? String ?? "").lowercased()
    }

    // MARK: Services

    /// One target per port, at the service's cluster DNS name.
    static func service(_ service: Object) -> TargetGroup? {
        guard let (metadata, name, namespace) = identity(service) else { return nil }
        let spec = service["spec"] as? Object
        var labels = [
            Label(prefix + "namespace", namespace), Label(prefix + "service_name", name),
            Label(prefix + "service_type", spec?["type"] as? String ?? ""),
        ]
        if let ip = spec?["clusterIP"] as? String { labels.append(Label(prefix + "service_cluster_ip", ip)) }
        if let external = spec?["externalName"] as? String { labels.append(Label(prefix + "service_external_name", external)) }
        let balancer = (service["status"] as? Object)?["loadBalancer"] as? Object
        if let ip = (balancer?["ingress"] as? [Object])?.first?["ip"] as? String {
            labels.append(Label(prefix + "service_loadbalancer_ip", ip))
        }
        metadataLabels(metadata, kind: "service", into: &labels)
        var targets: [String] = []
        var targetLabels: [Labels] = []
        for port in spec?["ports"] as? [Object] ?? [] {
            guard let number = int(port, "port"), (1...65535).contains(number) else { continue }
            targets.append(TargetAddress.join("\(name).\(namespace).svc", number))
            targetLabels.append(Labels([
                Label(prefix + "service_port_name", port["name"] as? String ?? ""),
                Label(prefix + "service_port_number", String(number)),
                Label(prefix + "service_port_protocol", port["protocol"] as? String ?? "TCP"),
            ]))
        }
        return TargetGroup(targets: targets, labels: Labels(labels), targetLabels: targetLabels, source: "svc/\(namespace)/\(name)")
    }

    // MARK: Nodes

    /// The order in which Prometheus picks a node's address.
    static let addressPreference = ["InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname"]

    /// One target: the node's preferred address at the kubelet's port, named after the node.
    static func node(_ node: Object) -> TargetGroup? {
        guard let metadata = node["metadata"] as? Object, let name = metadata["name"] as? String else { return nil }
        let status = node["status"] as? Object
        let addresses = status?["addresses"] as? [Object] ?? []
        var labels = [Label(prefix + "node_name", name), Label(prefix + "node_provider_id", string(node, "spec", "providerID") ?? "")]
        var firstOfType: [String: String] = [:]
        for a in addresses {
            guard let type = a["type"] as? String, let address = a["address"] as? String, firstOfType[type] == nil else { continue }
            firstOfType[type] = address
            labels.append(Label(prefix + "node_address_" + sanitize(type), address))
        }
        metadataLabels(metadata, kind: "node", into: &labels)
        labels.append(Label("instance", name))
        guard let host = addressPreference.lazy.compactMap({ firstOfType[$0] }).first else {
            return TargetGroup(targets: [], source: "node/\(name)")
        }
        let endpoints = (status?["daemonEndpoints"] as? Object)?["kubeletEndpoint"] as? Object
        let port = int(endpoints, "Port") ?? 10250
        return TargetGroup(targets: [TargetAddress.join(host, port)], labels: Labels(labels), source: "node/\(name)")
    }

    // MARK: Ingresses

    /// One target per rule path, at the rule's host; `https` when a TLS entry covers the host.
    static func ingress(_ ingress: Object) -> TargetGroup? {
        guard let (metadata, name, namespace) = identity(ingress) else { return nil }
        let spec = ingress["spec"] as? Object
        var labels = [
            Label(prefix + "namespace", namespace), Label(prefix + "ingress_name", name),
            Label(prefix + "ingress_class_name", spec?["ingressClassName"] as? String ?? ""),
        ]
        metadataLabels(metadata, kind: "ingress", into: &labels)
        let tlsHosts = (spec?["tls"] as? [Object] ?? []).flatMap { $0["hosts"] as? [String] ?? [] }
        func secure(_ host: String) -> Bool {
            tlsHosts.contains { pattern in
                pattern == host || (pattern.hasPrefix("*.") && host.hasSuffix(pattern.dropFirst()) && host.count > pattern.count - 1)
            }
        }
        var targets: [String] = []
        var targetLabels: [Labels] = []
        for rule in spec?["rules"] as? [Object] ?? [] {
            let host = rule["host"] as? String ?? ""
            let paths = ((rule["http"] as? Object)?["paths"] as? [Object] ?? []).map { $0["path"] as? String ?? "/" }
            for path in paths.isEmpty ? ["/"] : paths {
                targets.append(host)
                targetLabels.append(Labels([
                    Label(prefix + "ingress_scheme", secure(host) ? "https" : "http"),
                    Label(prefix + "ingress_path", path.isEmpty ? "/" : path),
                ]))
            }
        }
        return TargetGroup(targets: targets, labels: Labels(labels), targetLabels: targetLabels, source: "ingress/\(namespace)/\(name)")
    }
}
