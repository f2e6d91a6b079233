import Config
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing
@testable import Scrape

/// A keep-alive HTTP/1.1 target serving one fixed body, counting the connections it accepts.
final class KeepAliveTarget: Sendable {
    final class Count: Sendable { let value = Atomic<Int>(0) }

    let channel: any Channel
    let connections = Count()
    var port: Int { channel.localAddress?.port ?? 0 }

    init(body: [UInt8]) async throws {
        let connections = self.connections
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.value.add(1, ordering: .relaxed)
                return channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Responder(body: body))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async throws { try await channel.close() }

    final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let body: [UInt8]
        init(body: [UInt8]) { self.body = body }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            var headers = HTTPHeaders([("Content-Type", "text/plain; version=0.0.4"), ("Content-Length", "\(body.count)")])
            headers.add(name: "Connection", value: "keep-alive")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// How scrape connections read bodies: whole, over kept-alive connections, through one small
/// receive buffer.
@Suite struct ScrapeClientTests {
    @Test func aLargeBodyArrivesWholeOverOneKeptAliveConnection() async throws {
        // 1 MiB of exposition lines: many reads of at most 16 KiB each.
        var text = ""
        var i = 0
        while text.utf8.count < 1 << 20 {
            text += "model_predictions_total{class=\"c\(i % 10)\",variant=\"\(i)\"} \(i)\n"
            i += 1
        }
        let body = Array(text.utf8)
        let target = try await KeepAliveTarget(body: body)
        let client = try ScrapeClient(config: ScrapeConfig(jobName: "model-api"), userAgent: "test")
        var failure: ScrapeError?
        for _ in 0..<3 {
            do {
                // The deadline is generous: this checks bytes and connection reuse, not speed, and
                // the test process runs its whole suite on two cores beside it (one scrape once
                // missed 30 s there while its task waited for a thread).
                let response = try await client.fetch(url: "http://127.0.0.1:\(target.port)/metrics", timeout: .seconds(300))
                #expect(response.body == body)
            } catch {
                failure = error
            }
        }
        // The client is shut down whatever happened: an HTTP client must not outlive its users.
        try await client.http.shutdown()
        try await target.close()
        #expect(failure == nil, "\(String(describing: failure))")
        #expect(target.connections.value.load(ordering: .relaxed) == 1)
    }

    @Test func aScrapeConnectionKeepsOneReceiveBufferOfAtMostSixteenKiB() async throws {
        let target = try await KeepAliveTarget(body: [])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: target.port).get()
        try await ScrapeClient.limitReadBuffers(channel).get()
        #expect(try await channel.getOption(ChannelOptions.maxMessagesPerRead).get() == 1)
        let allocator = try await channel.getOption(ChannelOptions.recvAllocator).get()
        let adaptive = try #require(allocator as? AdaptiveRecvByteBufferAllocator)
        #expect(adaptive.maximum == ScrapeClient.readBufferLimit)
        #expect(ScrapeClient.readBufferLimit == 16 * 1024)
        try await channel.close()
        try await target.close()
    }
}
