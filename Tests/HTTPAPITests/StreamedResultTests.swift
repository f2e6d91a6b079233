import Hummingbird
import MetricModel
import NIOCore
import NIOPosix
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

    @Test(arguments: [(1, 10), (100, 100), (400, 500), (3_000, 240)])
    func streamedBodiesEqualTheOneBufferBody(size: (series: Int, points: Int)) async throws {
        let value = Self.matrix(series: size.series, points: size.points)
        let whole = QueryResultJSON.successBody(value, warnings: ["w"], infos: [])
        let collected = Collected()
        let body = QueryResultJSON.successResponseBody(value, warnings: ["w"], infos: [],
                                                       writtenOn: MultiThreadedEventLoopGroup.singleton.next())
        try await body.write(CollectingWriter(into: collected))
        var joined = ByteBuffer()
        for var piece in collected.pieces { joined.writeBuffer(&piece) }
        #expect(joined == whole)
        #expect(collected.finished)
        // Only results past the threshold are cut into pieces, none much larger than it.
        let large = whole.readableBytes > QueryResultJSON.streamingThreshold * 3 / 2
        #expect(large ? collected.pieces.count > 1 : collected.pieces.count == 1)
        if large { #expect(collected.pieces.allSatisfy { $0.readableBytes < QueryResultJSON.streamingThreshold * 5 / 4 }) }
    }

    @Test(arguments: [0, 1, 2, 7, 100], [2, 3, 16])
    func partsCoverEverySeriesInOrder(series: Int, parts: Int) {
        let m: [MatrixSeries]
        if case .matrix(let all) = Self.matrix(series: series, points: 5) { m = all } else { m = [] }
        let ranges = QueryResultJSON.partition(m, into: parts)
        #expect(ranges.count <= max(1, parts))
        #expect(ranges.first?.lowerBound == 0)
        #expect(ranges.last?.upperBound == series)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        if series >= parts { #expect(ranges.count == parts) }
    }
}
