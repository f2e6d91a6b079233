import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import WebSecurity

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

        // A web configuration that does not load stops the start, as in Prometheus: serving
        // without the TLS or authentication it asks for would be worse.
        let webSecurity = try options.webConfigFile.map { try WebConfigStore(file: $0) } ?? WebConfigStore()
        let core = VigilCore(options: options, initialConfig: config, logger: logger)
        // An idle connection is closed after --web.read-timeout, so idle sockets cannot hold
        // every one of --web.max-connections for ever. Clamped: a timeout of centuries would overflow.
        let http1 = HTTP1Channel.Configuration(idleTimeout: .nanoseconds(min(options.webReadTimeout.components.seconds, Int64.max / 1_000_000_000) * 1_000_000_000))
        let server: HTTPServerBuilder
        if webSecurity.current.tls != nil {
            server = HTTPServerBuilder { responder in
                ReloadableTLSChannel(HTTP1Channel(responder: responder, configuration: http1), store: webSecurity)
            }
        } else {
            server = .http1(configuration: http1)
        }
        func application(host: String, port: Int, surface: APIRoutes.Surface = .prometheus) -> some Service {
            Application(
                router: APIRoutes.router(backend: core, webSecurity: webSecurity, surface: surface),
                server: server,
                configuration: .init(
                    address: .hostname(host, port: port), serverName: "Vigil",
                    availableConnectionsDelegate: MaximumAvailableConnections(options.webMaxConnections)
                ),
                logger: logger
            )
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application(host: host, port: port))]
        if let second = options.alertmanagerListenAddress {
            guard let (amHost, amPort) = ServerOptions.hostAndPort(second) else {
                throw StartupError(description: "invalid --alertmanager.listen-address \"\(second)\"")
            }
            // The same endpoints (API v2, health, reload, the UI) under the same web configuration,
            // the UI opening on alerts.
            services.append(.init(service: application(host: amHost, port: amPort, surface: .alertmanager)))
        }
        if let third = options.pushListenAddress {
            guard let (pushHost, pushPort) = ServerOptions.hostAndPort(third) else {
                throw StartupError(description: "invalid --push.listen-address \"\(third)\"")
            }
            // The same endpoints again, so jobs that push to a Pushgateway's port reach Vigil.
            services.append(.init(service: application(host: pushHost, port: pushPort)))
        }
        if webSecurity.file != nil { services.append(.init(service: WebConfigWatcher(store: webSecurity, logger: logger))) }
        services.append(.init(service: core, successTerminationBehavior: .gracefullyShutdownGroup))
        // Shut down in reverse: the core (every component, storage last), the web config watcher,
        // then the HTTP server. When the core ends on its own (`/-/quit`), the whole group shuts
        // down with it.
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        // The process ends next, with storage closed and durable. Freeing every series, label and
        // chunk one at a time would only delay the exit (about a second for a large head), so the
        // core is left for the operating system to reclaim.
        _ = Unmanaged.passRetained(core)
    }
}
