import Config
import Foundation
import Logging
import Synchronization

/// `kubernetes_sd_configs`: lists the role's objects, then watches them from the list's resource
/// version, so targets follow pods and services within a second of the API server. A watch the
/// server ends is resumed from the last version seen (bookmarks included); when that version is
/// too old (410 Gone) the objects are listed again. Errors are logged and counted, and retried
/// with backoff while the last known targets stay. The endpoints roles also watch pods and
/// services (and pods with `attach_metadata.node` nodes) and join their labels onto the targets.
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

    package func run(publish: @escaping @Sendable ([TargetGroup]) -> Void) async {
        let api: KubernetesAPI
        do { api = try KubernetesAPI.from(config) } catch {
            logger.error("Kubernetes service discovery cannot start: \(error)")
            return
        }
        let watches = self.watches()
        let state = SharedState(KubernetesDiscoveryState(role: config.role, attachNode: config.attachNodeMetadata, slotRoles: watches.map(\.role)))
        let discovered = config.role
        await withTaskGroup(of: Void.self) { tasks in
            for (slot, watch) in watches.enumerated() {
                tasks.addTask {
                    await self.watch(api: api, role: watch.role, namespace: watch.namespace,
                                     keep: { KubernetesObject.from($0, role: watch.role, discovered: discovered) }) { objects in
                        publish(state.state.withLock { s in
                            s.set(objects, slot: slot)
                            return s.groups()
                        })
                    }
                }
            }
        }
    }

    /// The state every watch of one provider updates.
    final class SharedState: Sendable {
        let state: Mutex<KubernetesDiscoveryState>
        init(_ initial: KubernetesDiscoveryState) { state = Mutex(initial) }
    }

    /// One list-then-watch: a role in one namespace (nil: all, or cluster-scoped).
    package struct Watch: Sendable, Hashable {
        package var role: KubernetesSDConfig.Role
        package var namespace: String?
    }

    /// The discovered role in each namespace, then the roles joined with it.
    package func watches() -> [Watch] {
        let namespaces = self.namespaces()
        return ([config.role] + config.role.joinedRoles(attachNodeMetadata: config.attachNodeMetadata)).flatMap { role in
            role.isNamespaced ? namespaces.map { Watch(role: role, namespace: $0) } : [Watch(role: role, namespace: nil)]
        }
    }

    /// The namespaces to watch: nil for all of them.
    func namespaces() -> [String?] {
        var names = config.namespaces
        if config.ownNamespace {
            if let own = ownNamespace() {
                names.append(own)
            } else {
                logger.error("kubernetes_sd_configs own_namespace: Vigil's namespace is unknown (no kubeconfig context namespace, no service account); it is left out")
                if names.isEmpty { return [] }
            }
        }
        return names.isEmpty ? [nil] : Array(Set(names)).sorted().map { $0 }
    }

    /// The namespace Vigil runs in: the kubeconfig context's, or the pod's service account's.
    func ownNamespace() -> String? {
        if let path = config.kubeconfigFile { return (try? Kubeconfig.load(path: path))?.namespace }
        let own = try? String(contentsOfFile: KubernetesAPI.serviceAccountDirectory + "/namespace", encoding: .utf8)
        return own.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The collection's path for `role`, with that role's selectors and the given extra query.
    func path(role: KubernetesSDConfig.Role, namespace: String?, query: [(String, String)]) -> String {
        var path = role.apiGroupPath + (namespace.map { "/namespaces/" + $0 } ?? "") + "/" + role.resource
        var items = query
        for s in config.selectors where s.role == role {
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

    /// List-then-watch of one role in one namespace, until cancelled: `found` gets every object
    /// kept so far after each change.
    func watch(api: KubernetesAPI, role: KubernetesSDConfig.Role, namespace: String?,
               keep: ([String: Any]) -> KubernetesObject?, found: @Sendable ([String: KubernetesObject]) -> Void) async {
        var objects: [String: KubernetesObject] = [:]
        var version: String?
        var backoff: Duration = .seconds(1)
        while !Task.isCancelled {
            do {
                if version == nil {
                    let listed = try await api.list(path(role: role, namespace: namespace, query: []))
                    objects = [:]
                    for item in listed.items {
                        if let key = KubernetesTargets.key(item), let kept = keep(item) { objects[key] = kept }
                    }
                    version = listed.resourceVersion
                    found(objects)
                    stats?.recordRefresh(mechanism, failed: false)
                }
                let query = [("watch", "1"), ("allowWatchBookmarks", "true"), ("resourceVersion", version ?? ""), ("timeoutSeconds", "300")]
                try await api.watch(path(role: role, namespace: namespace, query: query)) { events in
                    for event in events {
                        switch event {
                        case .added(let object), .modified(let object):
                            if let key = KubernetesTargets.key(object) { objects[key] = keep(object) }
                            if let v = KubernetesTargets.string(object, "metadata", "resourceVersion") { version = v }
                        case .deleted(let object):
                            if let key = KubernetesTargets.key(object) { objects[key] = nil }
                            if let v = KubernetesTargets.string(object, "metadata", "resourceVersion") { version = v }
                        case .bookmark(let v):
                            if !v.isEmpty { version = v }
                        }
                    }
                    found(objects)
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
