import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPCompression

/// Inflates a request body sent with `Content-Encoding: gzip` or `deflate` (as the Python
/// client's `compression="gzip"` pushes), through swift-nio-extras' request decompressor run on
/// an embedded channel, so zlib does the work and the output is capped.
enum RequestBodyDecompression {
    enum Failure: Error, CustomStringConvertible {
        case unsupported(String)
        case tooLarge(Int)
        case corrupt(String)

        var description: String {
            switch self {
            case .unsupported(let encoding): "Content-Encoding \(encoding) is not supported (gzip, deflate or none)"
            case .tooLarge(let limit): "the body inflates to more than \(limit) bytes"
            case .corrupt(let why): "the compressed body is damaged: \(why)"
            }
        }
    }

    /// The body as sent when `encoding` is absent or `identity`, else inflated to at most `limit` bytes.
    static func decode(_ body: ByteBuffer, encoding: String?, limit: Int) throws(Failure) -> ByteBuffer {
        let name = (encoding ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if name.isEmpty || name == "identity" { return body }
        guard name == "gzip" || name == "x-gzip" || name == "deflate" else { throw .unsupported(encoding ?? "") }
        let channel = EmbeddedChannel(handler: NIOHTTPRequestDecompressor(limit: .size(limit)))
        defer { _ = try? channel.finish() }
        var head = HTTPRequestHead(version: .http1_1, method: .PUT, uri: "/")
        head.headers.add(name: "Content-Encoding", value: name == "x-gzip" ? "gzip" : name)
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        var out = ByteBuffer()
        do {
            try channel.writeInbound(HTTPServerRequestPart.head(head))
            try channel.writeInbound(HTTPServerRequestPart.body(body))
            try channel.writeInbound(HTTPServerRequestPart.end(nil))
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                if case .body(var chunk) = part { out.writeBuffer(&chunk) }
            }
        } catch let error as NIOHTTPDecompression.DecompressionError {
            if case .limit = error { throw .tooLarge(limit) }
            throw .corrupt("\(error)")
        } catch {
            throw .corrupt("\(error)")
        }
        return out
    }
}
