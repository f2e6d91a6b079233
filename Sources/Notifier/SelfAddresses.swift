#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The addresses Vigil's own Alertmanager API listens on, to recognise an `alerting` target that
/// is this very process (`localhost:9093`, or `alertmanager:9093` when that name is an alias of
/// Vigil's own container). Alerts for such a target are handed over in process: no HTTP request
/// to itself, and no credentials needed when `--web.config.file` asks for them.
public struct SelfAddresses: Sendable {
    /// A listen address: a host (empty or a wildcard for every interface) and a port.
    public struct Listener: Sendable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    let listeners: [Listener]
    /// The machine's interface addresses, loopback included.
    let localAddresses: Set<String>

    public init(listeners: [Listener]) {
        self.listeners = listeners
        localAddresses = Self.interfaceAddresses()
    }

    /// Whether `target` (`host:port`) reaches one of the listeners. Resolves the host (blocking:
    /// call it when the configuration is applied, not per alert).
    public func contains(_ target: String) -> Bool {
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else { return false }
        var host = String(target[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let resolved = Set(Self.resolve(host))
        for listener in listeners where listener.port == port {
            if ["", "0.0.0.0", "::"].contains(listener.host) {
                if !resolved.isDisjoint(with: localAddresses) { return true }
            } else if !resolved.isDisjoint(with: Self.resolve(listener.host)) {
                return true
            }
        }
        return false
    }

    /// The numeric addresses `host` resolves to.
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            if let text = numeric(info.pointee.ai_addr) { out.append(text) }
            next = info.pointee.ai_next
        }
        return out
    }

    static func interfaceAddresses() -> Set<String> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return ["127.0.0.1", "::1"] }
        defer { freeifaddrs(first) }
        var out: Set<String> = ["127.0.0.1", "::1"]
        var next: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = next {
            if let text = numeric(entry.pointee.ifa_addr) { out.insert(text) }
            next = entry.pointee.ifa_next
        }
        return out
    }

    /// An IPv4 or IPv6 socket address as text.
    static func numeric(_ address: UnsafeMutablePointer<sockaddr>?) -> String? {
        guard let address else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var a = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        case AF_INET6:
            var a = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            guard inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        default:
            return nil
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
