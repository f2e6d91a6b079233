import NIOCore
import NIOPosix

/// Why a DNS lookup gave no records.
package enum DNSLookupError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Every candidate name is unknown or has no record of the type: there is nothing to find.
    case notFound(String)
    /// No server answered usefully (timeouts, refusals, malformed replies): try again later.
    case unavailable(String)

    package var description: String {
        switch self {
        case .notFound(let name): return "no such host or record: \(name)"
        case .unavailable(let reason): return "DNS lookup failed: \(reason)"
        }
    }
}

/// A stub resolver that asks the servers of `/etc/resolv.conf` directly, over UDP with a TCP
/// retry for truncated replies: the C library's `getaddrinfo` cannot look up SRV, MX or NS
/// records. Like the system resolver it honours `search`, `ndots`, `timeout` and `attempts`.
package struct DNSResolver: Sendable {
    package var conf: ResolvConf

    package init(conf: ResolvConf = .system()) { self.conf = conf }

    /// The records of `type` for `name` (the servers follow CNAMEs for us).
    package func lookup(_ name: String, type: DNSMessage.RecordType) async throws(DNSLookupError) -> [DNSMessage.Record] {
        var failure: DNSLookupError?
        for candidate in conf.candidates(for: name) {
            let reply: DNSMessage.Reply
            do { reply = try await exchange(candidate, type: type) } catch {
                failure = error
                continue
            }
            // Not found, or no record of this type: try the next candidate name.
            if reply.rcode == 3 { continue }
            let records = reply.answers.filter { Self.record($0, is: type) }
            if !records.isEmpty { return records }
        }
        throw failure ?? .notFound(name)
    }

    static func record(_ record: DNSMessage.Record, is type: DNSMessage.RecordType) -> Bool {
        switch (record, type) {
        case (.a, .a), (.aaaa, .aaaa), (.srv, .srv), (.mx, .mx), (.ns, .ns): return true
        default: return false
        }
    }

    /// One question to the configured servers, in turn, for `attempts` rounds.
    func exchange(_ name: String, type: DNSMessage.RecordType) async throws(DNSLookupError) -> DNSMessage.Reply {
        let id = UInt16.random(in: 0...UInt16.max)
        guard let query = DNSMessage.query(id: id, name: name, type: type) else {
            throw .notFound(name)
        }
        var reasons: [String] = []
        for _ in 0..<conf.attempts {
            for server in conf.nameservers {
                guard let address = try? SocketAddress(ipAddress: server, port: 53) else {
                    reasons.append("nameserver \(server) is not an IP address")
                    continue
                }
                do {
                    let timeout = TimeAmount.seconds(Int64(conf.timeoutSeconds))
                    guard var bytes = try await Self.udp(query, id: id, server: address, timeout: timeout) else {
                        reasons.append("\(server): no answer within \(conf.timeoutSeconds)s")
                        continue
                    }
                    var reply = try DNSMessage.parse(bytes)
                    if reply.truncated {
                        guard let full = try await Self.tcp(query, id: id, server: address, timeout: timeout) else {
                            reasons.append("\(server): no answer over TCP within \(conf.timeoutSeconds)s")
                            continue
                        }
                        bytes = full
                        reply = try DNSMessage.parse(bytes)
                    }
                    // Server failure or refusal: another server may do better.
                    guard reply.rcode == 0 || reply.rcode == 3 else {
                        reasons.append("\(server): response code \(reply.rcode) for \(name)")
                        continue
                    }
                    return reply
                } catch {
                    reasons.append("\(server): \(error)")
                }
            }
        }
        throw .unavailable(reasons.last ?? "no nameserver configured")
    }

    /// One UDP exchange; nil when no reply with our id came in time.
    static func udp(_ query: [UInt8], id: UInt16, server: SocketAddress, timeout: TimeAmount) async throws -> [UInt8]? {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: server.protocol == .inet6 ? "::" : "0.0.0.0", port: 0) { ch in
                ch.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: ch)
                }
            }
        let timer = channel.channel.eventLoop.scheduleTask(in: timeout) { channel.channel.close(promise: nil) }
        defer { timer.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: query)))
                for try await envelope in inbound {
                    // Only the server we asked, answering our question, counts.
                    guard envelope.remoteAddress == server else { continue }
                    let bytes = Array(envelope.data.readableBytesView)
                    guard bytes.count >= 2, UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == id else { continue }
                    return bytes
                }
                return nil
            }
        } catch let error as ChannelError where error == .ioOnClosedChannel || error == .alreadyClosed {
            return nil
        }
    }

    /// One TCP exchange (two-byte length prefixes); nil when the whole reply did not come in time.
    static func tcp(_ query: [UInt8], id: UInt16, server: SocketAddress, timeout: TimeAmount) async throws -> [UInt8]? {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(to: server) { ch in
                ch.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch) }
            }
        let timer = channel.channel.eventLoop.scheduleTask(in: timeout) { channel.channel.close(promise: nil) }
        defer { timer.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: [UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query))
                var received: [UInt8] = []
                for try await chunk in inbound {
                    received += chunk.readableBytesView
                    guard received.count >= 2 else { continue }
                    let length = Int(received[0]) << 8 | Int(received[1])
                    if received.count >= 2 + length {
                        let reply = Array(received[2..<(2 + length)])
                        guard reply.count >= 2, UInt16(reply[0]) << 8 | UInt16(reply[1]) == id else { return nil }
                        return reply
                    }
                }
                return nil
            }
        } catch let error as ChannelError where error == .ioOnClosedChannel || error == .alreadyClosed {
            return nil
        }
    }
}
