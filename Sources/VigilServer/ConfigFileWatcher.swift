import ConfigSupport
import Foundation
import ServiceLifecycle

/// Reloads when a configuration file's content changes on disk: the Prometheus, Alertmanager and
/// rule files, checked every `interval` (`--config.auto-reload-interval`, Prometheus 3's
/// auto-reload-config). Content is compared, not modification times, so the symlink swap with
/// which Kubernetes updates a mounted ConfigMap is seen, and a file touched without change is not.
/// A broken new file keeps the running configuration, as any reload does.
struct ConfigFileWatcher: Service {
    let interval: Duration
    /// The files to watch now (rule files follow the configuration in force).
    let files: @Sendable () -> [String]
    let reload: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown { await watch() }
    }

    private func watch() async {
        var last = Self.fingerprint(files())
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let now = Self.fingerprint(files())
            guard now != last else { continue }
            await reload()
            // The reload may have changed which rule files there are.
            last = Self.fingerprint(files())
        }
    }

    /// Each file's content (nil for one that cannot be read), by path.
    static func fingerprint(_ files: [String]) -> [String: Data?] {
        var out: [String: Data?] = [:]
        for file in files { out[file] = FileManager.default.contents(atPath: file) }
        return out
    }
}
