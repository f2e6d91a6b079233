import Foundation
import HTTPAPI
import Hummingbird
import Logging
import ServiceLifecycle

/// The `vigil server` process: the HTTP server and the core (which owns every other component)
/// in one ServiceGroup that shuts down gracefully on SIGTERM or SIGINT.
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

        let core = VigilCore(options: options, initialConfig: config, logger: logger)
        let app = Application(
            router: APIRoutes.router(backend: core),
            configuration: .init(address: .hostname(host, port: port), serverName: "Vigil"),
            logger: logger
        )
        // Shut down in reverse: the core (every component, storage last), then the HTTP server.
        // When the core ends on its own (`/-/quit`), the whole group shuts down with it.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app),
                    .init(service: core, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
