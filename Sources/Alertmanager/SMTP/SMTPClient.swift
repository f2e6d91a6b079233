import ConfigSupport
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import OutgoingHTTP

/// Where and how to deliver mail: server, TLS policy and credentials.
public struct SMTPSettings: Sendable {
    public var host: String
    public var port: Int
    /// The name sent with `EHLO`.
    public var hello: String = "localhost"
    public var username: String?
    public var password: String?
    public var identity: String?
    public var secret: String?
    /// Refuse to send (or authenticate) in clear text.
    public var requireTLS = true
    public var tls: TLSConfiguration = .makeClientConfiguration()
    /// The name the server's certificate must carry (the host by default).
    public var serverName: String?

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Port 465 speaks TLS from the first byte (SMTPS); other ports start in clear and upgrade with STARTTLS.
    public var implicitTLS: Bool { port == 465 }
}

/// A small SMTP client on SwiftNIO: one connection per message, `EHLO`, `STARTTLS` (or TLS from
/// the start on port 465), `AUTH`, `MAIL FROM`, `RCPT TO` for each recipient, `DATA`, `QUIT`.
public enum SMTPClient {
    /// Sends one message; every failure names the step and the server's reply.
    public static func send(_ message: MailMessage, envelopeFrom: String, recipients: [String], settings: SMTPSettings,
                            deadline: NIODeadline) async throws(SMTPError) {
        guard let sender = MailMessage.bareAddress(envelopeFrom) else { throw SMTPError.invalidAddress(envelopeFrom) }
        var rcpts: [String] = []
        for r in recipients {
            guard let a = MailMessage.bareAddress(r) else { throw SMTPError.invalidAddress(r) }
            rcpts.append(a)
        }
        let sslContext: NIOSSLContext
        do { sslContext = try NIOSSLContext(configuration: settings.tls) } catch {
            throw SMTPError.tlsHandshake(host: settings.host, reason: "cannot set up TLS: \(error)")
        }
        // The port says whether the server speaks TLS from the first byte (465) or upgrades with
        // STARTTLS; when the server disagrees, the other way is tried once.
        let implicitFirst = settings.implicitTLS
        do {
            try await attempt(message, sender: sender, recipients: rcpts, settings: settings, sslContext: sslContext,
                              implicitTLS: implicitFirst, deadline: deadline)
        } catch SMTPError.noGreeting where !implicitFirst {
            try await attempt(message, sender: sender, recipients: rcpts, settings: settings, sslContext: sslContext,
                              implicitTLS: true, deadline: deadline)
        } catch SMTPError.tlsHandshake(_, let reason) where implicitFirst && reason.contains("did not answer with TLS") {
            try await attempt(message, sender: sender, recipients: rcpts, settings: settings, sslContext: sslContext,
                              implicitTLS: false, deadline: deadline)
        }
    }

    /// How long a server may stay silent before Vigil concludes it waits for a TLS handshake.
    static let greetingTimeout: TimeAmount = .seconds(3)

    /// How long the reply to the end of a message is awaited, whatever the notification's
    /// deadline: a minute, well short of RFC 5321's ten (a group's next flush waits for it).
    static let dataTerminationTimeout: TimeAmount = .seconds(60)

    private static func attempt(_ message: MailMessage, sender: String, recipients rcpts: [String], settings: SMTPSettings,
                                sslContext: NIOSSLContext, implicitTLS: Bool, deadline: NIODeadline) async throws(SMTPError) {
        let channel = try await connect(settings, sslContext: sslContext, implicitTLS: implicitTLS, deadline: deadline)
        let timer = channel.channel.eventLoop.scheduleTask(deadline: deadline) { channel.channel.close(promise: nil) }
        defer { timer.cancel() }
        let greetingDeadline = min(deadline, NIODeadline.now() + greetingTimeout)
        let greetingTimer = channel.channel.eventLoop.scheduleTask(deadline: greetingDeadline) { channel.channel.close(promise: nil) }
        defer { greetingTimer.cancel() }
        var stage = "connect"
        do {
            try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(inbound: inbound.makeAsyncIterator(), outbound: outbound)
                stage = "greeting"
                let greeting = try await session.readReply()
                greetingTimer.cancel()
                guard greeting.code == 220 else { throw SMTPError.greeting(greeting) }
                stage = "EHLO"
                var ehlo = try await session.hello(settings.hello)
                var secure = implicitTLS
                if !secure {
                    if ehlo.extensions["STARTTLS"] != nil {
                        stage = "STARTTLS"
                        let r = try await session.command("STARTTLS")
                        guard r.code == 220 else { throw SMTPError.unexpectedReply(command: "STARTTLS", reply: r) }
                        let sni = settings.serverName ?? settings.host
                        let ch = channel.channel
                        try await ch.eventLoop.submit {
                            let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: Self.isIPAddress(sni) ? nil : sni)
                            try ch.pipeline.syncOperations.addHandler(handler, position: .first)
                        }.get()
                        secure = true
                        stage = "EHLO after STARTTLS"
                        ehlo = try await session.hello(settings.hello)
                    } else if settings.requireTLS {
                        throw SMTPError.startTLSUnavailable(host: settings.host, port: settings.port)
                    }
                }
                if let user = settings.username, !user.isEmpty {
                    stage = "AUTH"
                    try await session.authenticate(settings, username: user, offered: ehlo.extensions["AUTH"] ?? "", secure: secure)
                }
                stage = "MAIL FROM"
                let mail = try await session.command("MAIL FROM:<\(sender)>")
                guard mail.code == 250 else { throw SMTPError.senderRefused(sender, mail) }
                for r in rcpts {
                    stage = "RCPT TO"
                    let reply = try await session.command("RCPT TO:<\(r)>")
                    guard reply.code == 250 || reply.code == 251 else { throw SMTPError.recipientRefused(r, reply) }
                }
                stage = "DATA"
                let data = try await session.command("DATA")
                guard data.code == 354 else { throw SMTPError.unexpectedReply(command: "DATA", reply: data) }
                let body = message.dataSection(date: Date(), messageID: Self.messageID(host: settings.hello), boundary: Self.boundary())
                stage = "message transfer"
                // Once the final dot is sent the server may already hold the message: giving up on
                // its reply now would send the mail twice at the next try. So the reply is awaited
                // past the notification's deadline, as RFC 5321 (4.5.3.2.6) asks of clients.
                timer.cancel()
                let transferTimer = channel.channel.eventLoop.scheduleTask(deadline: max(deadline, .now() + dataTerminationTimeout)) {
                    channel.channel.close(promise: nil)
                }
                defer { transferTimer.cancel() }
                let accepted = try await session.command(body + "\r\n.")
                guard accepted.code == 250 else { throw SMTPError.messageRefused(accepted) }
                stage = "QUIT"
                _ = try? await session.command("QUIT")
            }
        } catch {
            if stage == "greeting", NIODeadline.now() >= greetingDeadline, greetingDeadline < deadline, !implicitTLS {
                throw SMTPError.noGreeting(host: settings.host, port: settings.port)
            }
            // Past the deadline, a closed connection is the deadline timer's doing, not the server's.
            if NIODeadline.now() >= deadline, Self.isClosedConnection(error) { throw SMTPError.timeout(during: stage) }
            if let e = error as? SMTPError { throw e }
            if error is NIOSSLError || String(describing: error).contains("SSL") || String(describing: error).contains("certificate") {
                throw SMTPError.tlsHandshake(host: settings.host, reason: NetworkErrorText.describe(error))
            }
            throw SMTPError.connectionClosed(during: "\(stage) (\(error))")
        }
    }

    private static func connect(_ s: SMTPSettings, sslContext: NIOSSLContext, implicitTLS: Bool, deadline: NIODeadline) async throws(SMTPError)
        -> NIOAsyncChannel<String, ByteBuffer>
    {
        let remaining = deadline - NIODeadline.now()
        let sni = s.serverName ?? s.host
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(min(remaining, .seconds(30)))
                .connect(host: s.host, port: s.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicitTLS {
                            let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: isIPAddress(sni) ? nil : sni)
                            try channel.pipeline.syncOperations.addHandler(handler)
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch let e as NIOConnectionError {
            if e.connectionErrors.isEmpty, let dns = e.dnsAError ?? e.dnsAAAAError {
                throw SMTPError.dns(host: s.host, reason: "\(dns)")
            }
            let reasons = e.connectionErrors.map { NetworkErrorText.describe($0.error) }
            throw SMTPError.connect(host: s.host, port: s.port, reason: reasons.isEmpty ? "no address found" : reasons.joined(separator: "; "))
        } catch is ChannelError {
            throw SMTPError.connect(host: s.host, port: s.port, reason: "connection timed out")
        } catch {
            throw SMTPError.connect(host: s.host, port: s.port, reason: NetworkErrorText.describe(error))
        }
    }

    /// Whether `error` says the connection went away (rather than a reply that refused).
    static func isClosedConnection(_ error: any Error) -> Bool {
        guard let smtp = error as? SMTPError else { return true }
        if case .connectionClosed = smtp { return true }
        return false
    }

    static func isIPAddress(_ s: String) -> Bool {
        (try? SocketAddress(ipAddress: s, port: 0)) != nil
    }

    static func messageID(host: String) -> String {
        "\(Int64(Date().timeIntervalSince1970 * 1000)).\(UInt64.random(in: 0...UInt64.max))@\(host.isEmpty ? "localhost" : host)"
    }

    static func boundary() -> String {
        "vigil-" + String(UInt64.random(in: 0...UInt64.max), radix: 36) + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }
}

/// The command/reply exchange over one connection.
struct SMTPSession {
    var inbound: NIOAsyncChannelInboundStream<String>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Reads one (possibly multi-line) reply.
    mutating func readReply() async throws -> SMTPReply {
        var lines: [String] = []
        var code = 0
        while true {
            guard let line = try await inbound.next() else { throw SMTPError.connectionClosed(during: "reading a reply") }
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let c = Int(String(decoding: bytes[0..<3], as: UTF8.self)) else {
                throw SMTPError.protocolViolation("malformed reply line \(line.prefix(80))")
            }
            code = c
            lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count == 3 || bytes[3] != UInt8(ascii: "-") { break }
            if lines.count > 1000 { throw SMTPError.protocolViolation("reply with more than 1000 lines") }
        }
        return SMTPReply(code: code, lines: lines)
    }

    mutating func command(_ text: String) async throws -> SMTPReply {
        try await outbound.write(ByteBuffer(string: text + "\r\n"))
        return try await readReply()
    }

    /// `EHLO`, falling back to `HELO` for servers that do not speak ESMTP.
    mutating func hello(_ name: String) async throws -> SMTPReply {
        let r = try await command("EHLO \(name)")
        if r.code == 250 { return r }
        let h = try await command("HELO \(name)")
        guard h.code == 250 else { throw SMTPError.unexpectedReply(command: "HELO", reply: h) }
        return h
    }

    mutating func authenticate(_ s: SMTPSettings, username: String, offered: String, secure: Bool) async throws {
        let password = s.password ?? ""
        guard let mechanism = SMTPAuthMechanism.choose(offered: offered, hasSecret: !(s.secret ?? "").isEmpty, hasPassword: !password.isEmpty) else {
            throw SMTPError.authenticationUnavailable(offered: offered)
        }
        if mechanism != .cramMD5, !secure, !["localhost", "127.0.0.1", "::1"].contains(s.host) {
            throw SMTPError.protocolViolation("refusing to send the password in clear text: the connection to \(s.host) is not encrypted")
        }
        switch mechanism {
        case .plain:
            let r = try await command("AUTH PLAIN " + SMTPAuthMechanism.plainResponse(identity: s.identity ?? "", username: username, password: password))
            guard r.code == 235 else { throw SMTPError.authentication(mechanism: mechanism.rawValue, reply: r) }
        case .login:
            var r = try await command("AUTH LOGIN")
            guard r.code == 334 else { throw SMTPError.authentication(mechanism: mechanism.rawValue, reply: r) }
            r = try await command(Data(username.utf8).base64EncodedString())
            guard r.code == 334 else { throw SMTPError.authentication(mechanism: mechanism.rawValue, reply: r) }
            r = try await command(Data(password.utf8).base64EncodedString())
            guard r.code == 235 else { throw SMTPError.authentication(mechanism: mechanism.rawValue, reply: r) }
        case .cramMD5:
            let r = try await command("AUTH CRAM-MD5")
            guard r.code == 334, let answer = SMTPAuthMechanism.cramMD5Response(challengeBase64: r.text, username: username, secret: s.secret ?? "") else {
                throw SMTPError.authentication(mechanism: mechanism.rawValue, reply: r)
            }
            let done = try await command(answer)
            guard done.code == 235 else { throw SMTPError.authentication(mechanism: mechanism.rawValue, reply: done) }
        }
    }
}
