import Hummingbird
import NIOCore

/// The context of every Vigil route: Hummingbird's core context and the event loop of the
/// request's connection.
///
/// Handlers run on that event loop (see `VigilMain`). Work sent to the blocking pool comes back
/// to it, so the response is written without another thread switch per piece.
public struct VigilRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The event loop of the connection the request arrived on.
    public let eventLoop: any EventLoop

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.eventLoop = source.channel.eventLoop
    }
}
