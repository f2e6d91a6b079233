import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// A server child channel that speaks TLS with whatever context the web configuration holds
/// when the connection arrives, so rotated certificates and changed client-certificate rules
/// apply to the next connection without a restart. Then the base channel (HTTP/1.1) runs on top.
public struct ReloadableTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    public typealias Value = BaseChannel.Value

    private let base: BaseChannel
    private let store: WebConfigStore

    public init(_ base: BaseChannel, store: WebConfigStore) {
        self.base = base
        self.store = store
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let state = store.current
        guard let tls = state.tls else {
            // The file no longer asks for TLS: TLS on or off is decided at start, so keep the last context.
            return channel.eventLoop.makeFailedFuture(TLSServerMaterialError(reason: "no TLS context"))
        }
        return channel.eventLoop.makeCompletedFuture {
            let handler = NIOSSLServerHandler(
                context: tls.context,
                customVerificationCallback: tls.acceptsUnverifiedClientCertificates ? { _, promise in promise.succeed(.certificateVerified) } : nil,
                configuration: .init()
            )
            try channel.pipeline.syncOperations.addHandler(handler)
            if !tls.allowedSANs.isEmpty {
                try channel.pipeline.syncOperations.addHandler(ClientSANCheck(allowed: tls.allowedSANs, logger: logger))
            }
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    public func handle(value: BaseChannel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ReloadableTLSChannel: HTTPChannelHandler where BaseChannel: HTTPChannelHandler {
    public var responder: HTTPChannelHandler.Responder { base.responder }
}
