import Config
import Logging
import MetricModel
import ServiceLifecycle
import Synchronization
import TSDB

/// Every `remote_write` queue, as one service: a reload starts the queues that are new, stops
/// the ones no longer configured (forgetting their hold on the WAL) and restarts the ones whose
/// settings changed, each resuming from its saved progress. Shutdown stops every queue, giving
/// each a few seconds to send what it holds.
package final class RemoteWriteSender: Service, Sendable {
    let database: Database
    let storagePath: String
    let userAgent: String
    let logger: Logger

    private struct State {
        var running: [String: RemoteWriteQueue] = [:]
        var wanted: (configs: [RemoteWriteConfig], externalLabels: Labels)?
        var wake: CheckedContinuation<Void, Never>?
        var shuttingDown = false
    }

    private let state = Mutex(State())

    package init(database: Database, storagePath: String, userAgent: String, logger: Logger) {
        self.database = database
        self.storagePath = storagePath
        self.userAgent = userAgent
        self.logger = logger
    }

    /// The queues to run from now on.
    package func apply(_ configs: [RemoteWriteConfig], externalLabels: Labels) {
        let wake = state.withLock { s in
            s.wanted = (configs, externalLabels)
            defer { s.wake = nil }
            return s.wake
        }
        wake?.resume()
    }

    /// The running queues' counters.
    package var stats: [RemoteWriteStats] { state.withLock { $0.running.values.map(\.stats) }.sorted { $0.name < $1.name } }

    package func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                while true {
                    await withCheckedContinuation { (wait: CheckedContinuation<Void, Never>) in
                        let ready = state.withLock { s in
                            if s.shuttingDown || s.wanted != nil { return true }
                            s.wake = wait
                            return false
                        }
                        if ready { wait.resume() }
                    }
                    let (shuttingDown, wanted) = state.withLock { s in
                        defer { s.wanted = nil }
                        return (s.shuttingDown, s.wanted)
                    }
                    if shuttingDown { break }
                    if let wanted { await reconcile(wanted.configs, externalLabels: wanted.externalLabels, group: &group) }
                }
                let queues = state.withLock { Array($0.running.values) }
                for q in queues { q.stop() }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            let wake = self.state.withLock { s in
                s.shuttingDown = true
                defer { s.wake = nil }
                return s.wake
            }
            wake?.resume()
        }
    }

    private func reconcile(_ configs: [RemoteWriteConfig], externalLabels: Labels, group: inout TaskGroup<Void>) async {
        let running = state.withLock { $0.running }
        let wanted = Dictionary(configs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (name, queue) in running where wanted[name] != queue.config || queue.externalLabels != externalLabels {
            queue.stop()
            await queue.waitUntilFinished()
            _ = state.withLock { $0.running.removeValue(forKey: name) }
            if wanted[name] == nil {
                // Gone from the configuration: its hold on the WAL goes too.
                database.retainWAL(from: nil, for: queue.progress.key)
                logger.info("remote write queue removed", metadata: ["remote_name": "\(name)"])
            }
        }
        for config in configs where state.withLock({ $0.running[config.name] == nil }) {
            let queue = RemoteWriteQueue(config: config, externalLabels: externalLabels, database: database, storagePath: storagePath,
                                         userAgent: userAgent, logger: logger)
            state.withLock { $0.running[config.name] = queue }
            group.addTask { await queue.run() }
        }
    }
}
