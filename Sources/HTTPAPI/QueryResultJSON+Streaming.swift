import Hummingbird
import NIOCore
import NIOPosix
import PromQL
import TSDB

extension QueryResultJSON {
    /// Results beyond this many bytes are sent in pieces of about this size.
    static let streamingThreshold = 1 << 20

    /// Each part of a large result formatted on its own is about this many bytes.
    static let partSize = 4 << 20

    /// The success envelope as a response body: one buffer with a length, or for large range
    /// results a stream of pieces.
    ///
    /// A large matrix is cut into parts of about ``partSize`` that the threads of `formatters`
    /// format side by side, while `eventLoop` (the connection's) writes finished parts in order:
    /// turning a million values into digits is most of the cost of such a response, and it no
    /// longer waits on the socket nor runs on one core. A part the pool refuses (while the
    /// process shuts down) is formatted by the writer itself.
    static func successResponseBody(_ value: Value, warnings: [String], infos: [String],
                                    formatters: NIOThreadPool = .singleton, writtenOn eventLoop: any EventLoop) -> ResponseBody {
        let size = estimatedSize(value)
        guard case .matrix(let m) = value, size > streamingThreshold else {
            return ResponseBody(byteBuffer: successBody(value, warnings: warnings, infos: infos))
        }
        let parts = partition(m, into: max(2, min(16, size / partSize)))
        let format: @Sendable (Int) -> [ByteBuffer] = { i in
            pieces(m, parts[i], first: i == 0, last: i == parts.count - 1, warnings: warnings, infos: infos)
        }
        return ResponseBody { writer in
            // Results arrive on the connection's event loop, so the writer stays where it writes.
            let formatted = parts.indices.map { i in formatters.runIfActive(eventLoop: eventLoop) { format(i) } }
            for (i, part) in formatted.enumerated() {
                let pieces = (try? await part.get()) ?? format(i)
                for piece in pieces { try await writer.write(piece) }
            }
            try await writer.finish(nil)
        }
    }

    /// Contiguous ranges of series with about the same number of points each.
    static func partition(_ m: [MatrixSeries], into count: Int) -> [Range<Int>] {
        let total = m.reduce(0) { $0 + $1.samples.count + 1 }
        var parts: [Range<Int>] = []
        var start = 0, points = 0
        for (i, series) in m.enumerated() {
            points += series.samples.count + 1
            if points * count >= total * (parts.count + 1), parts.count < count - 1 {
                parts.append(start..<(i + 1))
                start = i + 1
            }
        }
        if start < m.count || parts.isEmpty { parts.append(start..<m.count) }
        return parts
    }

    /// The JSON of the series in `range`, in pieces of about ``streamingThreshold``: the
    /// envelope's opening before the first part, its closing after the last.
    private static func pieces(_ m: [MatrixSeries], _ range: Range<Int>, first: Bool, last: Bool,
                               warnings: [String], infos: [String]) -> [ByteBuffer] {
        let pieceCapacity = streamingThreshold + streamingThreshold / 4
        var out: [ByteBuffer] = []
        var w = JSONWriter(capacity: pieceCapacity)
        if first { w.raw("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[") }
        for i in range {
            if i > 0 { w.raw(",") }
            matrixSeries(m[i], into: &w)
            if w.buffer.readableBytes >= streamingThreshold {
                out.append(w.buffer)
                w = JSONWriter(capacity: pieceCapacity)
            }
        }
        if last {
            w.raw("]}")
            annotations(warnings: warnings, infos: infos, into: &w)
            w.raw("}")
        }
        if w.buffer.readableBytes > 0 { out.append(w.buffer) }
        return out
    }
}
