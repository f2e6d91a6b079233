import Foundation
import MetricModel
import Testing
@testable import TSDB

/// The block format is Prometheus': Debian's promtool (the same TSDB code as Prometheus 2.42) reads
/// the blocks Vigil writes, and Vigil serves the blocks promtool writes.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: PrometheusTools.promtool), "needs promtool (scripts/install-test-deps.sh)"))
struct PrometheusBlockInteropTests {
    @Test func promtoolListsAnalyzesAndDumpsTheBlocksVigilWrites() async throws {
        let dir = TempDirectory()
        let expected: [Labels: [Sample]]
        do {
            let db = try Database(directory: dir.path)
            expected = try BlockTests.fill(db, series: 4, hours: 5)
            #expect(try db.compactHead() == 1)
            db.close()
        }
        let block = try #require(PosixFile.list(dir.path).first { BlockULID($0) != nil })

        let list = try await PrometheusTools.run(PrometheusTools.promtool, ["tsdb", "list", dir.path])
        #expect(list.status == 0, "\(list.output)")
        let row = try #require(list.output.split(separator: "\n").first { $0.hasPrefix(block) }, "\(list.output)")
        // ULID, min time, max time, duration, samples, chunks, series, size.
        let columns = row.split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(columns.count >= 7)
        #expect(columns.dropFirst(4).prefix(3) == ["1920", "16", "4"], "\(row)")

        let analyze = try await PrometheusTools.run(PrometheusTools.promtool, ["tsdb", "analyze", dir.path, block])
        #expect(analyze.status == 0, "\(analyze.output)")
        for line in ["Series: 4", "Label names: 3", "Postings (unique label pairs): 6", "Postings entries (total label pairs): 12", "4 instance"] {
            #expect(analyze.output.split(separator: "\n").contains { $0 == line }, "\(line) in \(analyze.output)")
        }

        let dump = try await PrometheusTools.run(PrometheusTools.promtool, ["tsdb", "dump", dir.path])
        #expect(dump.status == 0, "\(dump.output.suffix(2000))")
        var dumped: [String: [Sample]] = [:]
        for line in dump.output.split(separator: "\n") where line.hasPrefix("{") {
            guard let close = line.lastIndex(of: "}") else { continue }
            let fields = line[line.index(after: close)...].split(separator: " ")
            guard fields.count == 2, let v = Double(fields[0]), let t = Int64(fields[1]) else { continue }
            dumped[String(line[...close]), default: []].append(Sample(t: t, v: v))
        }
        // promtool sees the block (the first two hours); the head's newer samples are in Vigil's WAL.
        var inBlock: [String: [Sample]] = [:]
        for (labels, samples) in expected {
            let text = "{" + labels.pairs.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
            inBlock[text] = samples.filter { $0.t < 2 * BlockTests.hour }
        }
        #expect(dumped.count == 4)
        #expect(dumped.values.map(\.count).sorted() == [480, 480, 480, 480])
        #expect(dumped == inBlock, "promtool dumped other samples than Vigil wrote")
    }

    @Test func vigilServesTheBlocksPromtoolWrites() async throws {
        let dir = TempDirectory()
        // Three series over five hours, with gaps, negative and fractional values and a jittered
        // scrape interval, as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`.
        var text = "# TYPE job_load gauge\n"
        var expected: [Labels: [Sample]] = [:]
        let start: Int64 = 1_700_000_000_000
        for s in 0..<3 {
            var t = start
            for step in 0..<1_200 {
                t += 15_000 + Int64((step * 7 + s) % 11) * 997 - 5_000
                if step % 97 == 13 { continue }
                let v = Double(step % 50) * (s == 1 ? -1.5 : 0.37) + Double(s)
                let labels = Labels(["__name__": "job_load", "pipeline": "train-\(s)"])
                expected[labels, default: []].append(Sample(t: t, v: v))
                text += "job_load{pipeline=\"train-\(s)\"} \(v) \(Double(t) / 1000)\n"
            }
        }
        text += "# EOF\n"
        let input = dir.path + "/input.om"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        let data = dir.path + "/data"
        let created = try await PrometheusTools.run(PrometheusTools.promtool, ["tsdb", "create-blocks-from", "openmetrics", input, data])
        #expect(created.status == 0, "\(created.output)")

        let db = try Database(directory: data)
        #expect(db.replayReport.blocks >= 2)
        #expect(db.replayReport.corruptions.isEmpty)
        #expect(BlockTests.everything(db) == expected, "Vigil reads other samples than promtool wrote")
        #expect(db.labelValues("pipeline", []) == ["train-0", "train-1", "train-2"])
        let one = db.select([try LabelMatcher(.regexMatch, "pipeline", "train-[12]")], mint: start + 3_600_000, maxt: start + 7_200_000)
        #expect(one.map { $0.labels["pipeline"] } == ["train-1", "train-2"])
        for series in one {
            let want = expected[series.labels]?.filter { $0.t >= start + 3_600_000 && $0.t <= start + 7_200_000 }
            #expect(series.samples(mint: start + 3_600_000, maxt: start + 7_200_000) == want)
        }
    }
}

/// Runs the Prometheus tools from Debian without holding a test thread while they run.
enum PrometheusTools {
    static let promtool = "/usr/bin/promtool"
    static let prometheus = "/usr/bin/prometheus"

    static func run(_ executable: String, _ args: [String]) async throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "promtool-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return (status, String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self))
    }
}
