/// `host:port` as `__address__` holds it, with an IPv6 literal in brackets.
package enum TargetAddress {
    package static func join(_ host: String, _ port: Int) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
