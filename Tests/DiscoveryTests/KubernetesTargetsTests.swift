import Config
@testable import Discovery
import Foundation
import Logging
import MetricModel
import Testing

/// The targets and `__meta_kubernetes_*` labels made from API objects of each supported role.
@Suite struct KubernetesTargetsTests {
    static func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func labelAndAnnotationNamesAreSanitized() {
        #expect(KubernetesTargets.sanitize("prometheus.io/scrape") == "prometheus_io_scrape")
        #expect(KubernetesTargets.sanitize("app.kubernetes.io/name") == "app_kubernetes_io_name")
        #expect(KubernetesTargets.sanitize("ünïcode-key") == "_n_code_key")
    }

    @Test func aPodGivesOneTargetPerContainerPortAndOneForAPortlessContainer() throws {
        let pod = try Self.object("""
            {"metadata": {"name": "api-0", "namespace": "ml", "uid": "u1", "labels": {"app.kubernetes.io/name": "api"},
                          "annotations": {"prometheus.io/scrape": "true"}},
             "spec": {"nodeName": "n1", "containers": [
                 {"name": "api", "image": "api:1", "ports": [{"name": "http", "containerPort": 8000}, {"containerPort": 9000, "protocol": "UDP"}]},
                 {"name": "proxy", "image": "envoy:1"}],
               "initContainers": [{"name": "migrate", "image": "api:1"}]},
             "status": {"phase": "Running", "podIP": "10.1.2.3", "hostIP": "192.168.0.4",
                        "conditions": [{"type": "Ready", "status": "False"}],
                        "containerStatuses": [{"name": "api", "containerID": "containerd://abc"}]}}
            """)
        let group = try #require(KubernetesTargets.group(for: pod, role: .pod))
        #expect(group.targets == ["10.1.2.3:8000", "10.1.2.3:9000", "10.1.2.3", "10.1.2.3"])
        #expect(group.labels["__meta_kubernetes_pod_label_app_kubernetes_io_name"] == "api")
        #expect(group.labels["__meta_kubernetes_pod_labelpresent_app_kubernetes_io_name"] == "true")
        #expect(group.labels["__meta_kubernetes_pod_annotation_prometheus_io_scrape"] == "true")
        #expect(group.labels["__meta_kubernetes_pod_ready"] == "false")
        #expect(group.labels["__meta_kubernetes_pod_phase"] == "Running")
        #expect(group.labels["__meta_kubernetes_pod_host_ip"] == "192.168.0.4")
        #expect(group.targetLabels[0]["__meta_kubernetes_pod_container_port_name"] == "http")
        #expect(group.targetLabels[0]["__meta_kubernetes_pod_container_id"] == "containerd://abc")
        #expect(group.targetLabels[1]["__meta_kubernetes_pod_container_port_protocol"] == "UDP")
        #expect(group.targetLabels[2]["__meta_kubernetes_pod_container_name"] == "proxy")
        #expect(group.targetLabels[3]["__meta_kubernetes_pod_container_init"] == "true")
    }

    @Test func aPodWithoutAnIPYetHasNoTargets() throws {
        let pending = try Self.object(#"{"metadata": {"name": "p", "namespace": "ml"}, "status": {"phase": "Pending"}}"#)
        #expect(KubernetesTargets.group(for: pending, role: .pod)?.targets == [])
    }

    @Test func aServiceGivesOneTargetPerPortAtItsClusterName() throws {
        let service = try Self.object("""
            {"metadata": {"name": "model", "namespace": "ml", "labels": {"team": "ml"}},
             "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.7", "ports": [{"name": "http", "port": 80, "protocol": "TCP"}, {"port": 9090}]}}
            """)
        let group = try #require(KubernetesTargets.group(for: service, role: .service))
        #expect(group.targets == ["model.ml.svc:80", "model.ml.svc:9090"])
        #expect(group.labels["__meta_kubernetes_service_cluster_ip"] == "10.96.0.7")
        #expect(group.labels["__meta_kubernetes_service_label_team"] == "ml")
        #expect(group.targetLabels[0]["__meta_kubernetes_service_port_name"] == "http")
        #expect(group.targetLabels[1]["__meta_kubernetes_service_port_number"] == "9090")
    }

    @Test func aNodeIsFoundAtItsPreferredAddressAndTheKubeletPort() throws {
        let node = try Self.object("""
            {"metadata": {"name": "worker-1", "labels": {"kubernetes.io/arch": "amd64"}}, "spec": {"providerID": "aws:///i-1"},
             "status": {"addresses": [{"type": "Hostname", "address": "worker-1"}, {"type": "ExternalIP", "address": "3.3.3.3"},
                                      {"type": "InternalIP", "address": "10.0.0.5"}],
                        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}}
            """)
        let group = try #require(KubernetesTargets.group(for: node, role: .node))
        #expect(group.targets == ["10.0.0.5:10250"])
        #expect(group.labels["instance"] == "worker-1")
        #expect(group.labels["__meta_kubernetes_node_address_ExternalIP"] == "3.3.3.3")
        #expect(group.labels["__meta_kubernetes_node_label_kubernetes_io_arch"] == "amd64")
        #expect(group.labels["__meta_kubernetes_node_provider_id"] == "aws:///i-1")
    }

    @Test func watchEventsAreReadAndAnExpiredVersionIsGone() throws {
        let added = try KubernetesAPI.event(Array(#"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"7"}}}"#.utf8), path: "/p")
        guard case .added = added else { Issue.record("expected ADDED"); return }
        let bookmark = try KubernetesAPI.event(Array(#"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"42"}}}"#.utf8), path: "/p")
        guard case .bookmark("42") = bookmark else { Issue.record("expected a bookmark"); return }
        do {
            _ = try KubernetesAPI.event(Array(#"{"type":"ERROR","object":{"kind":"Status","code":410,"message":"too old resource version"}}"#.utf8), path: "/p")
            Issue.record("an ERROR event must throw")
        } catch {
            #expect(error.gone)
        }
        #expect(throws: KubernetesAPI.Failure.self) { try KubernetesAPI.event(Array("not json".utf8), path: "/p") }
    }

    @Test func anIngressGivesOneTargetPerRulePathWithItsScheme() throws {
        let ingress = try Self.object("""
            {"metadata": {"name": "api", "namespace": "ml", "annotations": {"team": "ml"}},
             "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["*.example.org"]}],
                      "rules": [{"host": "api.example.org", "http": {"paths": [{"path": "/predict"}, {"path": "/health"}]}},
                                {"host": "internal.local"}]}}
            """)
        let group = try #require(KubernetesTargets.group(for: ingress, role: .ingress))
        #expect(group.targets == ["api.example.org", "api.example.org", "internal.local"])
        #expect(group.labels["__meta_kubernetes_ingress_class_name"] == "nginx")
        #expect(group.labels["__meta_kubernetes_ingress_annotation_team"] == "ml")
        #expect(group.targetLabels[0]["__meta_kubernetes_ingress_scheme"] == "https")
        #expect(group.targetLabels[1]["__meta_kubernetes_ingress_path"] == "/health")
        #expect(group.targetLabels[2]["__meta_kubernetes_ingress_scheme"] == "http")
        #expect(group.targetLabels[2]["__meta_kubernetes_ingress_path"] == "/")
    }

    @Test func eachRoleIsWatchedAtItsAPIPathWithItsSelectors() {
        var config = KubernetesSDConfig(role: .ingress)
        config.selectors = [.init(role: .ingress, label: "app=model", field: nil), .init(role: .pod, label: "x=y", field: nil)]
        let provider = KubernetesSDProvider(config: config, logger: Logger(label: "test"))
        #expect(provider.path(role: .ingress, namespace: "ml", query: []) == "/apis/networking.k8s.io/v1/namespaces/ml/ingresses?labelSelector=app%3Dmodel")
        let nodes = KubernetesSDProvider(config: KubernetesSDConfig(role: .node), logger: Logger(label: "test"))
        #expect(nodes.path(role: .node, namespace: nil, query: [("watch", "1")]) == "/api/v1/nodes?watch=1")
    }
}
