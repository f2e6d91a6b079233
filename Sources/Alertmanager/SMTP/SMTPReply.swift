import NIOCore

/// A server reply: the three-digit code and the text of each line (`250-PIPELINING` …).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    public var isPositive: Bool { (200..<400).contains(code) }
    public var text: String { lines.joined(separator: " ") }
    public var description: String { "\(code) \(text)" }

    /// The ESMTP extensions an EHLO reply advertises (upper-cased keyword → parameters).
    public var extensions: [String: String] {
        var out: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first else { continue }
            out[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
        }
        return out
    }
}

/// Splits the server's byte stream into lines (CRLF or LF), without the line end. A line longer
/// than `maxLength` is an error rather than unbounded memory.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String
    let maxLength = 8192

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maxLength { throw SMTPError.protocolViolation("reply line longer than \(maxLength) bytes") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
