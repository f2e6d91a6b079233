import Config
import Foundation
import Logging
import Synchronization

/// `kubernetes_sd_configs`: lists the role's objects, then watches them from the list's resource
/// version, so targets follow pods and services within a second of the API server. A watch the
/// server ends is resumed from the last version seen (bookmarks included); when that version is
/// too old (410 Gone) the objects are listed again. Errors are logged and counted, and retried
/// with backoff while the last known targets stay.
package struct KubernetesSDProvider: TargetProvider {
    package let config: KubernetesSDConfig
    let logger: Logger
    let stats: DiscoveryStats?

    package var mechanism: String { "kubernetes" }

    package init(config: KubernetesSDConfig, logger: Logger, stats: DiscoveryStats? = nil) {
        self.config = config
        self.logger = logger
        self.stats = stats
    }

    /// The roles whose objects become targets so far.
    package static let supportedRoles: Set<KubernetesSDConfig.Role> = [.pod, .service, .node, .ingress]

    package func run(publish: @escaping @Sendable ([TargetGroup]) -> Void) async {
        guard Self.supportedRoles.contains(config.role) else {
            logger.error("kubernetes_sd_configs role \(config.role.rawValue) is not supported yet; it finds no targets")
            return
        }
        let api: KubernetesAPI
        do { api = try KubernetesAPI.from(config) } catch {
            logger.error("Kubernetes service discovery cannot start: \(error)")
            return
        }
        let namespaces = config.role == .node ? [nil] : self.namespaces()
        let groups = NamespaceGroups(count: namespaces.count)
        await withTaskGroup(of: Void.self) { tasks in
            for (index, namespace) in namespaces.enumerated() {
                tasks.addTask {
                    await self.watch(api: api, namespace: namespace) { found in publish(groups.set(found, at: index)) }
                }
            }
        }
    }

    /// The groups of each watched namespace, joined for publishing.
    final class NamespaceGroups: Sendable {
        private let groups: Mutex<[[TargetGroup]]>

        init(count: Int) { groups = Mutex(Array(repeating: [], count: count)) }

        /// Replaces one namespace's groups and returns everyone's.
        func set(_ found: [TargetGroup], at index: Int) -> [TargetGroup] {
            groups.withLock { g in
                g[index] = found
                return g.flatMap { $0 }
            }
        }
    }

    /// The namespaces to watch: nil for all of them.
    func namespaces() -> [String?] {
        var names = config.namespaces
        if config.ownNamespace,
           let own = try? String(contentsOfFile: KubernetesAPI.serviceAccountDirectory + "/namespace", encoding: .utf8) {
            names.append(own.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return names.isEmpty ? [nil] : Array(Set(names)).sorted().map { $0 }
    }

    /// The collection's path, with the role's selectors and the given extra query.
    func path(namespace: String?, query: [(String, String)]) -> String {
        let (group, resource): (String, String)
        switch config.role {
        case .pod: (group, resource) = ("/api/v1", "pods")
        case .service: (group, resource) = ("/api/v1", "services")
        case .node: (group, resource) = ("/api/v1", "nodes")
        case .endpoints: (group, resource) = ("/api/v1", "endpoints")
        case .endpointslice: (group, resource) = ("/apis/discovery.k8s.io/v1", "endpointslices")
        case .ingress: (group, resource) = ("/apis/networking.k8s.io/v1", "ingresses")
        }
        var path = group + (namespace.map { "/namespaces/" + $0 } ?? "") + "/" + resource
        var items = query
        for s in config.selectors where s.role == config.role {
            if let label = s.label { items.append(("labelSelector", label)) }
            if let field = s.field { items.append(("fieldSelector", field)) }
        }
        if !items.isEmpty {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            path += "?" + items.map { $0.0 + "=" + ($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") }.joined(separator: "&")
        }
        return path
    }

    /// List-then-watch for one namespace, until cancelled.
    func watch(api: KubernetesAPI, namespace: String?, found: @Sendable ([TargetGroup]) -> Void) async {
        var objects: [String: TargetGroup] = [:]
        var version: String?
        var backoff: Duration = .seconds(1)
        let role = config.role
        func groups() -> [TargetGroup] { objects.keys.sorted().compactMap { objects[$0] } }
        while !Task.isCancelled {
            do {
                if version == nil {
                    let listed = try await api.list(path(namespace: namespace, query: []))
                    objects = [:]
                    for item in listed.items {
                        if let key = KubernetesTargets.key(item), let group = KubernetesTargets.group(for: item, role: role) { objects[key] = group }
                    }
                    version = listed.resourceVersion
                    found(groups())
                    stats?.recordRefresh(mechanism, failed: false)
                }
                let query = [("watch", "1"), ("allowWatchBookmarks", "true"), ("resourceVersion", version ?? ""), ("timeoutSeconds", "300")]
                try await api.watch(path(namespace: namespace, query: query)) { events in
                    for event in events {
                        switch event {
                        case .added(let object), .modified(let object):
                            if let key = KubernetesTargets.key(object) { objects[key] = KubernetesTargets.group(for: object, role: role) }
                            if let v = KubernetesTargets.string(object, "metadata", "resourceVersion") { version = v }
                        case .deleted(let object):
                            if let key = KubernetesTargets.key(object) { objects[key] = nil }
                            if let v = KubernetesTargets.string(object, "metadata", "resourceVersion") { version = v }
                        case .bookmark(let v):
                            if !v.isEmpty { version = v }
                        }
                    }
                    found(groups())
                }
                backoff = .seconds(1)
            } catch let failure as KubernetesAPI.Failure where failure.gone {
                // Too old to resume from: list again.
                logger.info("Kubernetes watch expired; listing again", metadata: ["role": "\(role.rawValue)", "reason": "\(failure)"])
                version = nil
            } catch {
                if Task.isCancelled { return }
                stats?.recordRefresh(mechanism, failed: true)
                logger.error("Kubernetes service discovery failed; keeping the previous targets", metadata: [
                    "role": "\(role.rawValue)", "namespace": "\(namespace ?? "all")", "error": "\(error)",
                ])
                do { try await Task.sleep(for: backoff) } catch { return }
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }
}
