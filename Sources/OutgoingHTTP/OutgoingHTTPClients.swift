import ConfigSupport
import AsyncHTTPClient
import Synchronization

/// HTTP clients for requests Vigil makes on its own (to Alertmanagers, to webhooks): the shared
/// client for the default TLS settings, and one client per distinct `tls_config` otherwise, kept
/// for the life of the process so a configuration reload never strands a client mid-request.
public enum OutgoingHTTPClients {
    private struct Key: Hashable {
        var tls: HTTPClientConfig.TLSConfig
        var followRedirects: Bool
    }

    private static let clients = Mutex<[Key: HTTPClient]>([:])

    /// The client for this `http_config`'s TLS and redirect settings.
    public static func client(for config: HTTPClientConfig) throws(TLSMaterialError) -> HTTPClient {
        let key = Key(tls: config.tlsConfig, followRedirects: config.followRedirects)
        if key == Key(tls: HTTPClientConfig.TLSConfig(), followRedirects: true) { return .shared }
        if let existing = clients.withLock({ $0[key] }) { return existing }
        let tls = try config.tlsConfig.makeClientConfiguration()
        let made = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: config.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow))
        return clients.withLock { table in
            if let raced = table[key] {
                try? made.syncShutdown()
                return raced
            }
            table[key] = made
            return made
        }
    }
}
