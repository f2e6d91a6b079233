import Foundation
import Testing

/// Kubernetes discovery against a stand-in for the API server (no kube-apiserver can run here):
/// `Support/kube_api_standin.py` serves the published list and watch contract with real object
/// shapes — chunked watch events, bookmarks, watches the server ends, and 410 Gone after
/// compaction. Pods point at real prometheus_client targets, so what is discovered is scraped.
@Suite(.serialized) struct KubernetesDiscoveryIntegrationTests {
    static let token = "standin-token"

    final class APIServer: @unchecked Sendable {
        let process: ChildProcess
        let port: Int
        var url: String { "http://127.0.0.1:\(port)" }

        init() async throws {
            port = freePort()
            process = try ChildProcess(name: "kube-api", executable: "/usr/bin/python3", arguments: [Paths.kubeAPIStandIn, "\(port)", KubernetesDiscoveryIntegrationTests.token])
            let p = process
            guard await eventually(timeout: .seconds(10), { p.log.contains("listening") }) else { throw PeerError("API stand-in did not start: \(p.log)") }
        }

        func control(_ action: String, _ body: [String: Any]) async throws {
            let data = try JSONSerialization.data(withJSONObject: body)
            let reply = try await HTTP.request(url + "/_control/" + action, method: "POST", body: String(decoding: data, as: UTF8.self))
            guard reply.status == 200 else { throw PeerError("control \(action): \(reply.status)") }
        }

        func apply(_ resource: String, _ object: [String: Any]) async throws { try await control("apply", ["resource": resource, "object": object]) }
        func delete(_ resource: String, namespace: String = "", name: String) async throws {
            try await control("delete", ["resource": resource, "namespace": namespace, "name": name])
        }
    }

    /// A Pod as the API returns it, running on this machine at `port`.
    static func pod(_ name: String, namespace: String = "ml", port: Int, annotated: Bool = true, labels: [String: String] = [:]) -> [String: Any] {
        var annotations: [String: String] = [:]
        if annotated { annotations = ["prometheus.io/scrape": "true", "prometheus.io/port": "\(port)", "prometheus.io/path": "/metrics"] }
        return [
            "kind": "Pod", "apiVersion": "v1",
            "metadata": [
                "name": name, "namespace": namespace, "uid": UUID().uuidString.lowercased(), "labels": labels, "annotations": annotations,
                "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "model-api-7d9f", "controller": true]],
            ] as [String: Any],
            "spec": ["nodeName": "worker-1", "containers": [["name": "api", "image": "ml/model-api:1.4",
                                                             "ports": [["name": "http", "containerPort": port, "protocol": "TCP"]]]]] as [String: Any],
            "status": [
                "phase": "Running", "podIP": "127.0.0.1", "hostIP": "10.0.0.11",
                "conditions": [["type": "Ready", "status": "True"]],
                "containerStatuses": [["name": "api", "ready": true, "containerID": "containerd://\(name)"]],
            ] as [String: Any],
        ]
    }

    static func targets(_ vigil: VigilInstance, job: String) async throws -> [[String: Any]] {
        try await vigil.activeTargets().filter { ($0["scrapePool"] as? String) == job }
    }

    static func labels(_ t: [String: Any]) -> [String: String] { t["labels"] as? [String: String] ?? [:] }

    @Test func podsAreDiscoveredScrapedAndDroppedAsTheyComeAndGo() async throws {
        let (api, apiPort) = try await startModelAPI()
        let (spark, sparkPort) = try await startModelAPI(rate: 5)
        defer { _ = (api, spark) }
        let server = try await APIServer()
        try await server.apply("pods", Self.pod("model-api-0", port: apiPort, labels: ["app": "model-api"]))
        try await server.apply("pods", Self.pod("sidecar-0", port: apiPort, annotated: false))
        try await server.apply("nodes", [
            "kind": "Node", "apiVersion": "v1",
            "metadata": ["name": "worker-1", "labels": ["kubernetes.io/hostname": "worker-1", "node.kubernetes.io/instance-type": "m5.xlarge"]] as [String: Any],
            "spec": ["providerID": "aws:///eu-west-1a/i-0abc"],
            "status": ["addresses": [["type": "Hostname", "address": "worker-1"], ["type": "InternalIP", "address": "127.0.0.1"]],
                       "daemonEndpoints": ["kubeletEndpoint": ["Port": apiPort]]] as [String: Any],
        ])
        for (namespace, host) in [("ml", "predict.example.org"), ("other", "elsewhere.example.org")] {
            try await server.apply("ingresses", [
                "kind": "Ingress", "apiVersion": "networking.k8s.io/v1",
                "metadata": ["name": "model-api", "namespace": namespace] as [String: Any],
                "spec": ["ingressClassName": "nginx", "tls": [["hosts": [host]]],
                         "rules": [["host": host, "http": ["paths": [["path": "/predict", "pathType": "Prefix"]]]]]] as [String: Any],
            ])
        }
        let vigil = try await VigilInstance(config: """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: kubernetes-pods
                kubernetes_sd_configs:
                  - role: pod
                    api_server: \(server.url)
                    authorization: {credentials: \(Self.token)}
                relabel_configs:
                  - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]
                    action: keep
                    regex: "true"
                  - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]
                    action: replace
                    target_label: __metrics_path__
                    regex: (.+)
                  - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]
                    action: replace
                    regex: ([^:]+)(?::\\d+)?;(\\d+)
                    replacement: $1:$2
                    target_label: __address__
                  - action: labelmap
                    regex: __meta_kubernetes_pod_label_(.+)
                  - source_labels: [__meta_kubernetes_namespace]
                    target_label: namespace
                  - source_labels: [__meta_kubernetes_pod_name]
                    target_label: pod
              - job_name: kubernetes-ingresses
                kubernetes_sd_configs:
                  - role: ingress
                    api_server: \(server.url)
                    authorization: {credentials: \(Self.token)}
                    namespaces: {names: [ml]}
              - job_name: kubernetes-nodes
                kubernetes_sd_configs:
                  - role: node
                    api_server: \(server.url)
                    authorization: {credentials: \(Self.token)}
                relabel_configs:
                  - action: labelmap
                    regex: __meta_kubernetes_node_label_(.+)
            """)

        // The annotated pod is scraped with the community relabeling; the other one is dropped.
        #expect(try await eventually(timeout: .seconds(20)) {
            try await Self.targets(vigil, job: "kubernetes-pods").first { ($0["health"] as? String) == "up" } != nil
        }, "\(vigil.process.log.suffix(1500))\n\(server.process.log.suffix(800))")
        let pods = try await Self.targets(vigil, job: "kubernetes-pods")
        #expect(pods.count == 1)
        let model = Self.labels(try #require(pods.first))
        #expect(model["pod"] == "model-api-0" && model["namespace"] == "ml" && model["app"] == "model-api")
        let discovered = try #require(pods.first?["discoveredLabels"] as? [String: String])
        #expect(discovered["__meta_kubernetes_pod_controller_kind"] == "ReplicaSet")
        #expect(discovered["__meta_kubernetes_pod_container_port_name"] == "http")
        #expect(discovered["__meta_kubernetes_pod_ready"] == "true")
        #expect(discovered["__meta_kubernetes_pod_node_name"] == "worker-1")
        // The node is found at its InternalIP and the kubelet's port, named after itself.
        #expect(try await eventually(timeout: .seconds(20)) {
            let nodes = try await Self.targets(vigil, job: "kubernetes-nodes")
            return nodes.count == 1 && Self.labels(nodes[0])["instance"] == "worker-1" && Self.labels(nodes[0])["kubernetes_io_hostname"] == "worker-1"
        })

        // Ingresses come from their API group, in the namespaces asked for only.
        #expect(try await eventually(timeout: .seconds(20)) {
            let ingresses = try await Self.targets(vigil, job: "kubernetes-ingresses")
            let found = ingresses.first?["discoveredLabels"] as? [String: String] ?? [:]
            return ingresses.count == 1 && found["__address__"] == "predict.example.org"
                && found["__meta_kubernetes_ingress_path"] == "/predict" && found["__meta_kubernetes_ingress_scheme"] == "https"
        }, "\(server.process.log.suffix(800))")

        // A Spark job: the driver and executors appear for a few seconds, are scraped while they
        // live, and are gone (and their series stale) once deleted.
        for name in ["spark-driver", "spark-exec-1", "spark-exec-2"] {
            try await server.apply("pods", Self.pod(name, namespace: "spark", port: sparkPort, labels: ["spark-role": name == "spark-driver" ? "driver" : "executor"]))
        }
        #expect(try await eventually(timeout: .seconds(15)) {
            try await Self.targets(vigil, job: "kubernetes-pods").filter { Self.labels($0)["namespace"] == "spark" && ($0["health"] as? String) == "up" }.count == 3
        })
        for name in ["spark-driver", "spark-exec-1", "spark-exec-2"] { try await server.delete("pods", namespace: "spark", name: name) }
        #expect(try await eventually(timeout: .seconds(15)) {
            try await Self.targets(vigil, job: "kubernetes-pods").allSatisfy { Self.labels($0)["namespace"] != "spark" }
        })
        let q = #"up{namespace="spark"}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        #expect(try await eventually(timeout: .seconds(10)) {
            try await HTTP.request(vigil.base + "/api/v1/query?query=" + q).body.contains(#""result":[]"#)
        }, "gone pods' series are marked stale")

        // The history is compacted: resuming the watch gets 410 Gone, and a new list finds the
        // pod added meanwhile.
        try await server.control("compact", [:])
        try await server.apply("pods", Self.pod("model-api-1", port: apiPort, labels: ["app": "model-api"]))
        #expect(try await eventually(timeout: .seconds(20)) {
            try await Self.targets(vigil, job: "kubernetes-pods").contains { Self.labels($0)["pod"] == "model-api-1" }
        }, "\(server.process.log.suffix(1500))")
        #expect(server.process.log.contains("expired (410)"))
        #expect(vigil.process.log.contains("listing again"))
    }

    /// A v1 Endpoints object for `service`: one subset per pod (each listens on its own port here).
    static func endpoints(_ service: String, pods: [(name: String, port: Int, ready: Bool)]) -> [String: Any] {
        [
            "kind": "Endpoints", "apiVersion": "v1",
            "metadata": ["name": service, "namespace": "ml", "labels": ["app": service]] as [String: Any],
            "subsets": pods.map { pod in
                let address: [String: Any] = ["ip": "127.0.0.1", "nodeName": "worker-1",
                                              "targetRef": ["kind": "Pod", "name": pod.name, "namespace": "ml"]]
                return [pod.ready ? "addresses" : "notReadyAddresses": [address],
                        "ports": [["name": "http", "port": pod.port, "protocol": "TCP"]]] as [String: Any]
            },
        ]
    }

    /// A discovery.k8s.io/v1 EndpointSlice of `service` holding one pod.
    static func endpointSlice(_ name: String, service: String, pod: String, port: Int, ready: Bool) -> [String: Any] {
        [
            "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
            "metadata": ["name": name, "namespace": "ml", "labels": ["kubernetes.io/service-name": service]] as [String: Any],
            "addressType": "IPv4",
            "ports": [["name": "http", "port": port, "protocol": "TCP"]],
            "endpoints": [["addresses": ["127.0.0.1"], "conditions": ["ready": ready, "serving": ready, "terminating": false],
                           "nodeName": "worker-1", "zone": "eu-west-1a",
                           "targetRef": ["kind": "Pod", "name": pod, "namespace": "ml"]]],
        ]
    }

    /// A Deployment of three model-API pods behind an annotated Service, discovered through the
    /// endpoints role with the community's `kubernetes-service-endpoints` relabeling (reached
    /// through a kubeconfig file) and through the endpointslice role: every target carries its
    /// service's and pod's labels, the service arriving after its endpoints is joined in, and a
    /// pod taken out of the endpoints stops being scraped.
    @Test func serviceEndpointsAreJoinedWithTheirPodsAndServiceThroughAKubeconfig() async throws {
        var apis: [ChildProcess] = []
        var ports: [Int] = []
        for _ in 0..<3 {
            let (api, port) = try await startModelAPI()
            apis.append(api)
            ports.append(port)
        }
        defer { _ = apis }
        let server = try await APIServer()
        let names = ["model-api-7d9f-a", "model-api-7d9f-b", "model-api-7d9f-c"]
        for (name, port) in zip(names, ports) {
            try await server.apply("pods", Self.pod(name, port: port, annotated: false, labels: ["app": "model-api", "version": "1.4"]))
        }
        // The endpoints controller has written the endpoints before Vigil sees the service.
        try await server.apply("endpoints", Self.endpoints("model-api", pods: zip(names, ports).map { ($0, $1, true) }))
        for (index, (name, port)) in zip(names, ports).enumerated() {
            try await server.apply("endpointslices", Self.endpointSlice("model-api-\(index)", service: "model-api", pod: name, port: port, ready: index != 2))
        }
        let dir = Paths.tempDirectory()
        try """
            apiVersion: v1
            kind: Config
            current-context: standin
            clusters: [{name: standin, cluster: {server: "\(server.url)"}}]
            users: [{name: vigil, user: {token: \(Self.token)}}]
            contexts: [{name: standin, context: {cluster: standin, user: vigil, namespace: ml}}]
            """.write(toFile: dir + "/kubeconfig", atomically: true, encoding: .utf8)
        let vigil = try await VigilInstance(config: """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: kubernetes-service-endpoints
                kubernetes_sd_configs:
                  - role: endpoints
                    kubeconfig_file: \(dir)/kubeconfig
                    namespaces: {own_namespace: true}
                relabel_configs:
                  - source_labels: [__meta_kubernetes_service_annotation_prometheus_io_scrape]
                    action: keep
                    regex: true
                  - source_labels: [__meta_kubernetes_service_annotation_prometheus_io_path]
                    action: replace
                    target_label: __metrics_path__
                    regex: (.+)
                  - action: labelmap
                    regex: __meta_kubernetes_service_label_(.+)
                  - source_labels: [__meta_kubernetes_namespace]
                    target_label: namespace
                  - source_labels: [__meta_kubernetes_service_name]
                    target_label: service
                  - source_labels: [__meta_kubernetes_pod_name]
                    target_label: pod
              - job_name: kubernetes-endpointslices
                kubernetes_sd_configs:
                  - role: endpointslice
                    api_server: \(server.url)
                    authorization: {credentials: \(Self.token)}
                relabel_configs:
                  - source_labels: [__meta_kubernetes_endpointslice_endpoint_conditions_ready]
                    action: keep
                    regex: true
                  - source_labels: [__meta_kubernetes_pod_label_version]
                    target_label: version
            """)

        // The slices' ready endpoints are scraped with their pods' labels.
        #expect(try await eventually(timeout: .seconds(20)) {
            let slices = try await Self.targets(vigil, job: "kubernetes-endpointslices")
            return slices.count == 2 && slices.allSatisfy { Self.labels($0)["version"] == "1.4" && ($0["health"] as? String) == "up" }
        }, "\(vigil.process.log.suffix(1500))\n\(server.process.log.suffix(800))")
        // Without the service, nothing says "scrape": the endpoints are all dropped.
        #expect(try await Self.targets(vigil, job: "kubernetes-service-endpoints").isEmpty)

        try await server.apply("services", [
            "kind": "Service", "apiVersion": "v1",
            "metadata": ["name": "model-api", "namespace": "ml", "labels": ["team": "ml-platform"],
                         "annotations": ["prometheus.io/scrape": "true", "prometheus.io/path": "/metrics"]] as [String: Any],
            "spec": ["type": "ClusterIP", "clusterIP": "10.96.0.7", "selector": ["app": "model-api"],
                     "ports": [["name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"]]] as [String: Any],
        ])
        #expect(try await eventually(timeout: .seconds(20)) {
            let found = try await Self.targets(vigil, job: "kubernetes-service-endpoints")
            return Set(found.map { Self.labels($0)["pod"] ?? "" }) == Set(names) && found.allSatisfy {
                Self.labels($0)["service"] == "model-api" && Self.labels($0)["team"] == "ml-platform" && ($0["health"] as? String) == "up"
            }
        }, "\(vigil.process.log.suffix(1500))")
        let discovered = try #require(try await Self.targets(vigil, job: "kubernetes-service-endpoints").first?["discoveredLabels"] as? [String: String])
        #expect(discovered["__meta_kubernetes_endpoint_ready"] == "true")
        #expect(discovered["__meta_kubernetes_endpoint_address_target_kind"] == "Pod")
        #expect(discovered["__meta_kubernetes_pod_container_port_name"] == "http")
        #expect(discovered["__meta_kubernetes_endpoints_label_app"] == "model-api")

        // A rollout takes one pod out: the endpoints change and its target goes.
        try await server.apply("endpoints", Self.endpoints("model-api", pods: zip(names, ports).dropLast().map { ($0, $1, true) }))
        #expect(try await eventually(timeout: .seconds(15)) {
            try await Set(Self.targets(vigil, job: "kubernetes-service-endpoints").map { Self.labels($0)["pod"] ?? "" }) == Set(names.dropLast())
        })
        #expect(server.process.log.contains("watch /api/v1/namespaces/ml/endpoints"), "own_namespace comes from the kubeconfig context")
    }
}
