import Config
import Logging
import MetricModel

/// `dns_sd_configs`: looks up every name each refresh interval; one target group per name.
///
/// A name that does not exist (or has no such record) gets an empty group, so its targets go
/// away. A lookup that fails (no server answered) keeps the name's previous targets: a DNS outage
/// does not turn into every target vanishing and being marked stale.
package struct DNSSDProvider: TargetProvider {
    package let config: DNSSDConfig
    let resolver: DNSResolver
    let logger: Logger
    let stats: DiscoveryStats?

    package var mechanism: String { "dns" }

    /// Label names Prometheus sets on DNS-discovered targets.
    package enum MetaLabel {
        package static let name = "__meta_dns_name"
        package static let srvTarget = "__meta_dns_srv_record_target"
        package static let srvPort = "__meta_dns_srv_record_port"
        package static let mxTarget = "__meta_dns_mx_record_target"
        package static let nsTarget = "__meta_dns_ns_record_target"
    }

    package init(config: DNSSDConfig, resolver: DNSResolver = DNSResolver(), logger: Logger, stats: DiscoveryStats? = nil) {
        self.config = config
        self.resolver = resolver
        self.logger = logger
        self.stats = stats
    }

    package func run(publish: @escaping @Sendable ([TargetGroup]) -> Void) async {
        var groups: [String: TargetGroup] = [:]
        while !Task.isCancelled {
            var failed = false
            for name in config.names {
                do {
                    let records = try await resolver.lookup(name, type: Self.recordType(config.type))
                    groups[name] = Self.group(name: name, records: records, config: config)
                } catch {
                    if Task.isCancelled { return }
                    if case .notFound = error {
                        groups[name] = TargetGroup(targets: [], source: name)
                    } else {
                        failed = true
                        logger.error("DNS service discovery failed; keeping the previous targets", metadata: ["name": "\(name)", "error": "\(error)"])
                    }
                }
            }
            stats?.recordRefresh(mechanism, failed: failed)
            publish(config.names.compactMap { groups[$0] })
            do { try await Task.sleep(for: .milliseconds(config.refreshInterval.milliseconds)) } catch { return }
        }
    }

    static func recordType(_ type: DNSSDConfig.RecordType) -> DNSMessage.RecordType {
        switch type {
        case .srv: return .srv
        case .a: return .a
        case .aaaa: return .aaaa
        case .mx: return .mx
        case .ns: return .ns
        }
    }

    /// The targets of one name's records, each with its `__meta_dns_*` labels.
    package static func group(name: String, records: [DNSMessage.Record], config: DNSSDConfig) -> TargetGroup {
        var targets: [String] = []
        var labels: [Labels] = []
        let port = config.port ?? 0
        for record in records {
            var meta = [Label(MetaLabel.name, name)]
            let address: String
            switch record {
            case .srv(_, _, let srvPort, let target):
                address = TargetAddress.join(target, Int(srvPort))
                meta += [Label(MetaLabel.srvTarget, target), Label(MetaLabel.srvPort, String(srvPort))]
            case .a(let bytes):
                address = TargetAddress.join(bytes.map(String.init).joined(separator: "."), port)
            case .aaaa(let bytes):
                address = TargetAddress.join(Self.ipv6Text(bytes), port)
            case .mx(_, let exchange):
                address = TargetAddress.join(exchange, port)
                meta.append(Label(MetaLabel.mxTarget, exchange))
            case .ns(let server):
                address = TargetAddress.join(server, port)
                meta.append(Label(MetaLabel.nsTarget, server))
            case .cname:
                continue
            }
            targets.append(address)
            labels.append(Labels(meta))
        }
        return TargetGroup(targets: targets, targetLabels: labels, source: name)
    }

    /// RFC 5952 text of an IPv6 address: lower-case hex, the longest run of zero groups as `::`.
    static func ipv6Text(_ bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return "" }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var best = (start: -1, length: 0)
        var i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8, groups[j] == 0 { j += 1 }
                if j - i > best.length, j - i >= 2 { best = (i, j - i) }
                i = j
            } else {
                i += 1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.start >= 0 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}
