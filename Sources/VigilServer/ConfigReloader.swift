import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on every SIGHUP, as Prometheus does, until graceful shutdown.
struct ConfigReloader: Service {
    let reload: @Sendable () async -> Void

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals { await reload() }
        }
    }
}
