import Logging
import ServiceLifecycle
import Synchronization

/// Runs the push API's periodic work: every scrape interval the pushed groups are stored again
/// (and expired ones removed), and at most once a second a changed set of groups is written to
/// disk. At shutdown the groups are written a last time, before storage closes.
public struct PushGatewayService: Service {
    let gateway: PushGateway
    let interval: @Sendable () -> Duration
    let logger: Logger

    /// `interval` is read before each wait, so a reload that changes the global scrape interval
    /// takes effect at the next round.
    public init(gateway: PushGateway, interval: @escaping @Sendable () -> Duration, logger: Logger) {
        self.gateway = gateway
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
        gateway.saveIfChanged()
    }

    private func loop() async {
        let clock = ContinuousClock()
        var nextIngest = clock.now
        while !Task.isCancelled {
            if clock.now >= nextIngest {
                do { try gateway.ingest() } catch { logger.error("storing the pushed groups failed: \(error)") }
                nextIngest = clock.now.advanced(by: max(interval(), .seconds(1)))
            }
            gateway.saveIfChanged()
            do { try await Task.sleep(for: min(.seconds(1), clock.now.duration(to: nextIngest))) } catch { break }
        }
    }
}
