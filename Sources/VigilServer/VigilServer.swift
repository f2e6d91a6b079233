import Foundation
import HTTPAPI
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// The `vigil server` process: the HTTP server and the core services in one ServiceGroup that
/// shuts down gracefully on SIGTERM or SIGINT.
public struct VigilServer: Sendable {
    public let options: ServerOptions
    public let logger: Logger

    public init(options: ServerOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Errors that stop the server before it starts.
    public struct StartupError: Error, CustomStringConvertible {
        public var description: String
    }

    public func run() async throws {
        guard let (host, port) = options.hostAndPort else {
            throw StartupError(description: "invalid --web.listen-address \"\(options.listenAddress)\"")
        }
        // Validate the configuration before binding anything, so a bad file fails fast.
        let config = try ConfigLoader(options: options, logger: logger).load()
        if options.alertmanagerEnabled { _ = try ConfigLoader(options: options, logger: logger).loadAlertmanager() }

        let metrics = VigilMetrics()
        let state = ServerState(flags: options.flags, lifecycleEnabled: options.enableLifecycle,
                                remoteWriteEnabled: options.enableRemoteWriteReceiver, queryOptions: options.query, metrics: metrics,
                                dashboardsDirectory: options.dashboardsDirectory)
        let core = VigilCore(options: options, initialConfig: config, state: state, logger: logger)
        let app = Application(
            router: APIRoutes.router(state: state),
            configuration: .init(address: .hostname(host, port: port), serverName: "Vigil"),
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app), .init(service: core)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        let groupBox = GroupBox(group)
        state.setHooks(reload: { await core.reload() }, quit: { groupBox.shutdown() })
        try await group.run()
    }
}

/// Lets the `/-/quit` hook reach the service group.
private final class GroupBox: Sendable {
    let group: ServiceGroup
    init(_ group: ServiceGroup) { self.group = group }
    func shutdown() { Task { await group.triggerGracefulShutdown() } }
}
