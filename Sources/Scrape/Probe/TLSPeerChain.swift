import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// The certificates a TLS server presents, read from a handshake of its own: their expiry times
/// and the negotiated version. With `verify` the chain must be trusted (a TCP probe's handshake
/// is the probe); without, it is only read (an HTTP probe's request has verified it already).
struct TLSPeerChain: Sendable {
    /// `notAfter` of every certificate presented, in seconds since the epoch.
    var expiries: [Double]
    /// `TLS 1.2`, `TLS 1.3`, … as the blackbox exporter names them.
    var version: String?

    static func read(host: String, port: Int, tls: TLSConfiguration, timeout: Duration, verify: Bool) async -> TLSPeerChain? {
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch { return nil }
        let presented = PresentedCertificates()
        let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = eventLoop.makePromise(of: Void.self)
        do {
            let channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(timeout.timeAmount(clampedTo: Self.timeoutRange))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler: NIOSSLClientHandler
                        if verify {
                            handler = try NIOSSLClientHandler(context: context, serverHostname: serverName)
                        } else {
                            handler = try NIOSSLClientHandler(context: context, serverHostname: serverName) { certificates, promise in
                                presented.certificates.withLock { $0 = certificates }
                                promise.succeed(.certificateVerified)
                            }
                        }
                        try channel.pipeline.syncOperations.addHandler(handler)
                        try channel.pipeline.syncOperations.addHandler(HandshakeWaiter(handshake))
                    }
                }
                .connect(host: host, port: port).get()
            defer { channel.close(promise: Optional<EventLoopPromise<Void>>.none) }
            let timer = eventLoop.scheduleTask(in: timeout.timeAmount(clampedTo: Self.timeoutRange)) { handshake.fail(ChannelError.connectTimeout(.seconds(0))) }
            defer { timer.cancel() }
            try await handshake.futureResult.get()
            let ssl = try await channel.pipeline.handler(type: NIOSSLClientHandler.self).get()
            var certificates = presented.certificates.withLock { $0 }
            if certificates.isEmpty, let leaf = ssl.peerCertificate { certificates = [leaf] }
            let version = try? await channel.nioSSL_tlsVersion().get()
            return TLSPeerChain(expiries: certificates.map { Double($0.notValidAfter) }, version: version.map(Self.name))
        } catch {
            handshake.fail(ChannelError.ioOnClosedChannel)
            return nil
        }
    }

    /// Whether a TCP connection to `host:port` opens within `timeout`.
    static func connects(host: String, port: Int, timeout: Duration) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout.timeAmount(clampedTo: Self.timeoutRange))
                .connect(host: host, port: port).get()
            channel.close(promise: nil)
            return true
        } catch {
            return false
        }
    }

    /// A probe's handshake waits at least a millisecond and at most an hour.
    static let timeoutRange: ClosedRange<Duration> = .milliseconds(1) ... .seconds(3600)

    static func name(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLS 1.0"
        case .tlsv11: "TLS 1.1"
        case .tlsv12: "TLS 1.2"
        case .tlsv13: "TLS 1.3"
        }
    }
}

/// The chain a server presented, as the verification callback saw it.
final class PresentedCertificates: Sendable {
    let certificates = Mutex<[NIOSSLCertificate]>([])
}

/// Completes `done` when the TLS handshake has, or fails it when the connection fails first;
/// only the first outcome counts.
final class HandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let done: EventLoopPromise<Void>

    init(_ done: EventLoopPromise<Void>) { self.done = done }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { done.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
