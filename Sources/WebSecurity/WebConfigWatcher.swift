import Logging
import ServiceLifecycle

/// Looks at the web configuration and the files it names every `interval` and puts a good
/// change in force (Prometheus reads the file on every request; polling gives the same
/// effect without a file read per request). A broken change is logged once and ignored.
public struct WebConfigWatcher: Service {
    private let store: WebConfigStore
    private let interval: Duration
    private let logger: Logger

    public init(store: WebConfigStore, interval: Duration = .seconds(1), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        guard let file = store.file else { return try await gracefulShutdown() }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                switch store.reloadIfChanged() {
                case .unchanged: break
                case .reloaded: logger.info("Loaded the changed web configuration", metadata: ["file": "\(file)"])
                case .failed(let message):
                    logger.error("The changed web configuration is not valid; keeping the last good one", metadata: ["file": "\(file)", "err": "\(message)"])
                }
            }
        }
    }
}
