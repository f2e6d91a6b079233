import Logging
import NIOCore
import NIOSSL
import NIOTLS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Closes a TLS connection whose client certificate carries none of `client_allowed_sans`
/// (DNS names, IP addresses, e-mail addresses or URIs, matched exactly), once the handshake
/// has verified it and before any request is read.
final class ClientSANCheck: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let allowed: Set<String>
    private let logger: Logger
    private var passed = false

    init(allowed: [String], logger: Logger) {
        self.allowed = Set(allowed)
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
            let names = certificate.map(Self.subjectAlternativeNames) ?? []
            if names.contains(where: allowed.contains) {
                passed = true
                context.pipeline.syncOperations.removeHandler(self, promise: nil)
            } else {
                logger.warning("refusing a client certificate: none of its SANs is in client_allowed_sans", metadata: ["sans": "\(names)"])
                context.close(promise: nil)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Nothing passes before the handshake completes and the check passes.
        if passed { context.fireChannelRead(data) }
    }

    /// The certificate's SANs as text (IP addresses in their usual notation).
    static func subjectAlternativeNames(_ certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { name in
            let bytes = Array(name.contents)
            switch name.nameType {
            case .ipAddress: return ipAddressText(bytes)
            case .dnsName, .email, .uri: return String(decoding: bytes, as: UTF8.self)
            default: return nil
            }
        }
    }

    private static func ipAddressText(_ bytes: [UInt8]) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var text = [CChar](repeating: 0, count: 64)
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) != nil }
        guard ok else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
