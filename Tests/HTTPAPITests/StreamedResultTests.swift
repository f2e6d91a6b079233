import Hummingbird
import MetricModel
import NIOCore
import PromQL
import Testing
import TSDB
@testable import HTTPAPI

/// Collects what a response body writes, piece by piece.
private final class Collected: @unchecked Sendable {
    var pieces: [ByteBuffer] = []
    var finished = false
}

private struct CollectingWriter: ResponseBodyWriter {
    let into: Collected
    mutating func write(_ buffer: ByteBuffer) async throws { into.pieces.append(buffer) }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws { into.finished = true }
}

@Suite struct StreamedResultTests {
    static func matrix(series: Int, points: Int) -> Value {
        .matrix((0..<series).map { n in
            MatrixSeries(labels: Labels(["__name__": "m", "instance": "i\(n)"]),
                         samples: (0..<points).map { Sample(t: Int64($0) * 15_000, v: Double(n * points + $0) / 7) })
        })
    }

    @Test(arguments: [(1, 10), (100, 100), (400, 500)])
    func streamedBodiesEqualTheOneBufferBody(series: Int, points: Int) async throws {
        let value = Self.matrix(series: series, points: points)
        let whole = QueryResultJSON.successBody(value, warnings: ["w"], infos: [])
        let collected = Collected()
        try await QueryResultJSON.successResponseBody(value, warnings: ["w"], infos: []).write(CollectingWriter(into: collected))
        var joined = ByteBuffer()
        for var piece in collected.pieces { joined.writeBuffer(&piece) }
        #expect(joined == whole)
        #expect(collected.finished)
        // Only results past the threshold are cut into pieces, each about the threshold's size.
        let large = whole.readableBytes > QueryResultJSON.streamingThreshold * 3 / 2
        #expect(large ? collected.pieces.count > 1 : collected.pieces.count == 1)
        #expect(collected.pieces.dropLast().allSatisfy { $0.readableBytes >= QueryResultJSON.streamingThreshold })
    }
}
