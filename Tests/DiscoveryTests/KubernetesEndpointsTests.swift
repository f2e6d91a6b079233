import Config
@testable import Discovery
import Foundation
import MetricModel
import Testing

/// The endpoints and endpointslice roles: each address at each port, joined with the labels of
/// its service, its pod (and the pod's matching container port) and, when asked, its node.
@Suite struct KubernetesEndpointsTests {
    static let pod = """
        {"metadata": {"name": "api-0", "namespace": "ml", "labels": {"app": "api"}},
         "spec": {"nodeName": "worker-1", "containers": [
             {"name": "api", "image": "api:1", "ports": [{"name": "http", "containerPort": 8000}, {"name": "metrics", "containerPort": 9100}]}]},
         "status": {"phase": "Running", "podIP": "10.1.2.3", "conditions": [{"type": "Ready", "status": "True"}]}}
        """
    static let service = """
        {"metadata": {"name": "api", "namespace": "ml", "labels": {"team": "ml"}, "annotations": {"prometheus.io/scrape": "true"}},
         "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.7", "ports": [{"name": "http", "port": 80, "targetPort": 8000}]}}
        """
    static let node = #"{"metadata": {"name": "worker-1", "labels": {"topology.kubernetes.io/zone": "eu-west-1a"}}}"#

    static func object(_ json: String) throws -> [String: Any] { try KubernetesTargetsTests.object(json) }

    /// The state a provider builds: the discovered role's objects plus the pods, services and nodes.
    static func discover(_ role: KubernetesSDConfig.Role, _ objects: [String], attachNode: Bool = false) throws -> [TargetGroup] {
        let roles: [KubernetesSDConfig.Role] = [role, .pod, .service, .node]
        var state = KubernetesDiscoveryState(role: role, attachNode: attachNode, slotRoles: roles)
        let sources: [[String]] = [objects, [pod], [service], [node]]
        for (slot, (slotRole, jsons)) in zip(roles, sources).enumerated() {
            var kept: [String: KubernetesObject] = [:]
            for json in jsons {
                let object = try object(json)
                kept[try #require(KubernetesTargets.key(object))] = KubernetesObject.from(object, role: slotRole, discovered: role)
            }
            state.set(kept, slot: slot)
        }
        return state.groups()
    }

    @Test func endpointsCarryTheirServicePodAndContainerPortLabels() throws {
        let endpoints = """
            {"metadata": {"name": "api", "namespace": "ml", "labels": {"team": "ml"}},
             "subsets": [{"addresses": [{"ip": "10.1.2.3", "nodeName": "worker-1", "targetRef": {"kind": "Pod", "name": "api-0", "namespace": "ml"}}],
                          "notReadyAddresses": [{"ip": "10.1.2.9", "hostname": "api-9"}],
                          "ports": [{"name": "http", "port": 8000, "protocol": "TCP"}]}]}
            """
        let groups = try Self.discover(.endpoints, [endpoints])
        let group = try #require(groups.first)
        // The ready pod address, the not-ready one, then the pod's metrics port no address covered.
        #expect(group.targets == ["10.1.2.3:8000", "10.1.2.9:8000", "10.1.2.3:9100"])
        #expect(group.labels["__meta_kubernetes_endpoints_name"] == "api")
        #expect(group.labels["__meta_kubernetes_endpoints_label_team"] == "ml")
        #expect(group.labels["__meta_kubernetes_service_name"] == "api")
        #expect(group.labels["__meta_kubernetes_service_annotation_prometheus_io_scrape"] == "true")
        let ready = group.targetLabels[0]
        #expect(ready["__meta_kubernetes_endpoint_ready"] == "true")
        #expect(ready["__meta_kubernetes_endpoint_port_name"] == "http")
        #expect(ready["__meta_kubernetes_endpoint_port_protocol"] == "TCP")
        #expect(ready["__meta_kubernetes_endpoint_node_name"] == "worker-1")
        #expect(ready["__meta_kubernetes_endpoint_address_target_kind"] == "Pod")
        #expect(ready["__meta_kubernetes_endpoint_address_target_name"] == "api-0")
        #expect(ready["__meta_kubernetes_pod_name"] == "api-0")
        #expect(ready["__meta_kubernetes_pod_label_app"] == "api")
        #expect(ready["__meta_kubernetes_pod_container_name"] == "api")
        #expect(ready["__meta_kubernetes_pod_container_port_name"] == "http")
        #expect(ready["__meta_kubernetes_node_label_topology_kubernetes_io_zone"] == "", "node labels only with attach_metadata.node")
        let notReady = group.targetLabels[1]
        #expect(notReady["__meta_kubernetes_endpoint_ready"] == "false")
        #expect(notReady["__meta_kubernetes_endpoint_hostname"] == "api-9")
        #expect(notReady["__meta_kubernetes_pod_name"] == "")
        let extra = group.targetLabels[2]
        #expect(extra["__meta_kubernetes_pod_container_port_name"] == "metrics")
        #expect(extra["__meta_kubernetes_endpoint_ready"] == "", "a pod port no address covered has no endpoint labels")
    }

    @Test func attachMetadataNodeAddsTheNodeLabelsToEndpointsAndPods() throws {
        let endpoints = """
            {"metadata": {"name": "api", "namespace": "ml"},
             "subsets": [{"addresses": [{"ip": "10.1.2.3", "nodeName": "worker-1"}], "ports": [{"port": 8000}]}]}
            """
        let group = try #require(try Self.discover(.endpoints, [endpoints], attachNode: true).first)
        #expect(group.targetLabels[0]["__meta_kubernetes_node_name"] == "worker-1")
        #expect(group.targetLabels[0]["__meta_kubernetes_node_label_topology_kubernetes_io_zone"] == "eu-west-1a")

        var state = KubernetesDiscoveryState(role: .pod, attachNode: true, slotRoles: [.pod, .node])
        let pod = try Self.object(Self.pod), node = try Self.object(Self.node)
        state.set(["ml/api-0": try #require(KubernetesObject.from(pod, role: .pod, discovered: .pod))], slot: 0)
        state.set(["/worker-1": try #require(KubernetesObject.from(node, role: .node, discovered: .pod))], slot: 1)
        #expect(state.groups().first?.labels["__meta_kubernetes_node_label_topology_kubernetes_io_zone"] == "eu-west-1a")
    }

    @Test func anEndpointSliceGivesItsEndpointsConditionsZoneAndService() throws {
        let slice = """
            {"metadata": {"name": "api-x7k2p", "namespace": "ml", "labels": {"kubernetes.io/service-name": "api"}},
             "addressType": "IPv4",
             "ports": [{"name": "http", "port": 8000, "protocol": "TCP", "appProtocol": "http"}],
             "endpoints": [
               {"addresses": ["10.1.2.3"], "conditions": {"ready": true, "serving": true, "terminating": false},
                "nodeName": "worker-1", "zone": "eu-west-1a", "targetRef": {"kind": "Pod", "name": "api-0"}},
               {"addresses": ["10.1.2.4"], "conditions": {"ready": false}, "deprecatedTopology": {"kubernetes.io/hostname": "worker-2"}}]}
            """
        let group = try #require(try Self.discover(.endpointslice, [slice]).first)
        #expect(group.targets == ["10.1.2.3:8000", "10.1.2.4:8000", "10.1.2.3:9100"])
        #expect(group.labels["__meta_kubernetes_endpointslice_name"] == "api-x7k2p")
        #expect(group.labels["__meta_kubernetes_endpointslice_address_type"] == "IPv4")
        #expect(group.labels["__meta_kubernetes_service_name"] == "api")
        let first = group.targetLabels[0]
        #expect(first["__meta_kubernetes_endpointslice_port"] == "8000")
        #expect(first["__meta_kubernetes_endpointslice_port_name"] == "http")
        #expect(first["__meta_kubernetes_endpointslice_port_app_protocol"] == "http")
        #expect(first["__meta_kubernetes_endpointslice_endpoint_conditions_ready"] == "true")
        #expect(first["__meta_kubernetes_endpointslice_endpoint_conditions_terminating"] == "false")
        #expect(first["__meta_kubernetes_endpointslice_endpoint_zone"] == "eu-west-1a")
        #expect(first["__meta_kubernetes_endpointslice_address_target_name"] == "api-0")
        #expect(first["__meta_kubernetes_pod_container_port_name"] == "http")
        let second = group.targetLabels[1]
        #expect(second["__meta_kubernetes_endpointslice_endpoint_conditions_ready"] == "false")
        #expect(second["__meta_kubernetes_endpointslice_endpoint_conditions_serving"] == "")
        #expect(second["__meta_kubernetes_endpointslice_endpoint_topology_kubernetes_io_hostname"] == "worker-2")
        #expect(second["__meta_kubernetes_endpointslice_endpoint_topology_present_kubernetes_io_hostname"] == "true")
    }

    @Test func endpointsWatchTheirPodsAndServicesInTheSameNamespaces() {
        var config = KubernetesSDConfig(role: .endpoints)
        config.namespaces = ["ml", "batch"]
        config.attachNodeMetadata = true
        let watches = KubernetesSDProvider(config: config, logger: .init(label: "test")).watches()
        #expect(watches.map { "\($0.role.rawValue)@\($0.namespace ?? "-")" } == [
            "endpoints@batch", "endpoints@ml", "pod@batch", "pod@ml", "service@batch", "service@ml", "node@-",
        ])
        #expect(KubernetesSDProvider(config: KubernetesSDConfig(role: .service), logger: .init(label: "test")).watches().count == 1)
    }

    @Test func malformedEndpointsGiveNoTargetsInsteadOfFailing() throws {
        let odd = #"{"metadata": {"name": "e", "namespace": "x"}, "subsets": [{"addresses": [{"ip": 7}], "ports": [{"port": 99999}, {"port": "x"}]}, 3]}"#
        #expect(KubernetesTargets.group(for: try Self.object(odd), role: .endpoints)?.targets == [])
        let slice = #"{"metadata": {"name": "s", "namespace": "x"}, "ports": [{}], "endpoints": [{"addresses": []}, {"addresses": ["10.0.0.1"]}]}"#
        #expect(KubernetesTargets.group(for: try Self.object(slice), role: .endpointslice)?.targets == ["10.0.0.1"])
    }
}
