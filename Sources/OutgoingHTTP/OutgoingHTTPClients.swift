import ConfigSupport
import AsyncHTTPClient
import Synchronization

/// HTTP clients for requests Vigil makes on its own (to Alertmanagers, webhooks, discovery
/// servers, remote-write receivers): one client per distinct `tls_config` and redirect setting,
/// kept for the life of the process so a configuration reload never strands a client
/// mid-request. A connection that cannot be made fails its request at once (rather than being
/// retried until the request's deadline): every caller has its own retry policy, and a
/// receiver that is down must show as down, not as a request hanging for `remote_timeout`.
public enum OutgoingHTTPClients {
    private struct Key: Hashable {
        var tls: HTTPClientConfig.TLSConfig
        var followRedirects: Bool
    }

    private static let clients = Mutex<[Key: HTTPClient]>([:])

    /// The client for this `http_config`'s TLS and redirect settings.
    public static func client(for config: HTTPClientConfig) throws(TLSMaterialError) -> HTTPClient {
        let key = Key(tls: config.tlsConfig, followRedirects: config.followRedirects)
        if let existing = clients.withLock({ $0[key] }) { return existing }
        let tls = try config.tlsConfig.makeClientConfiguration()
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: config.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        // Made under the lock (it does no I/O): two first requests at once must not both make a
        // client, because shutting the spare down synchronously traps on an event loop thread.
        return clients.withLock { table in
            if let existing = table[key] { return existing }
            let made = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            table[key] = made
            return made
        }
    }
}
