import Foundation
import Logging
import MetricModel
import TSDB

/// A small valid block written once per fuzzing process; each input replaces one of its files
/// (the index, the chunk segment, the tombstones or meta.json), and the block is opened and read
/// in full, as a query would. The other files stay valid, so the fuzzer's bytes reach the reader
/// of the file they replace.
final class FuzzBlock: @unchecked Sendable {
    static let shared = FuzzBlock()

    private let directory: String
    private let pristine: [String: [UInt8]]
    /// Every series, one equality and one regular-expression selector: postings read three ways.
    private let selectors: [[LabelMatcher]] = [
        [], (try? LabelMatcher(.equal, "job", "fuzz")).map { [$0] } ?? [],
        (try? LabelMatcher(.regexMatch, "__name__", ".+_total|queue.*")).map { [$0] } ?? [],
    ]

    private init() {
        let root = NSTemporaryDirectory() + "vigil-fuzz-block-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var series: [BlockWriter.Series] = []
        for (i, name) in ["requests_total", "queue_depth", "latency_seconds_bucket"].enumerated() {
            for instance in ["a:80", "b:80"] {
                var chunk = XORChunk()
                for step in 0..<130 { chunk.append(t: Int64(step) * 15_000, v: Double(step * (i + 1)) + (instance == "a:80" ? 0 : 0.25)) }
                series.append(BlockWriter.Series(labels: Labels(["__name__": name, "instance": instance, "job": "fuzz"]), chunks: [chunk]))
            }
        }
        let ulid = (try? BlockWriter.write(series, minTime: 0, maxTime: 7_200_000, into: root, nowMs: 0)) ?? nil
        directory = root + "/" + (ulid.map { "\($0)" } ?? "missing")
        var files: [String: [UInt8]] = [:]
        for name in ["index", "chunks/000001", "tombstones", "meta.json"] {
            files[name] = (FileManager.default.contents(atPath: directory + "/" + name)).map { Array($0) } ?? []
        }
        pristine = files
    }

    /// Writes `bytes` over `file` of the block, opens and reads it, then puts the valid file back.
    func open(replacing file: String, with bytes: [UInt8]) {
        let path = directory + "/" + file
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { FileManager.default.createFile(atPath: path, contents: Data(pristine[file] ?? [])) }
        guard let block = try? Block(directory: directory) else { return }
        var times: [Int64] = [], values: [Double] = []
        for matchers in selectors {
            for series in block.select(matchers, mint: .min, maxt: .max, sorted: true) {
                series.appendSamples(mint: .min, maxt: .max, times: &times, values: &values)
            }
        }
        for name in block.labelNames([]) { _ = block.labelValues(name, []) }
    }

    /// Prometheus' XOR chunk data from a block, decoded in full.
    static func decodeChunk(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard let chunk = XORChunk(prometheusData: raw, minTime: 0, maxTime: .max) else { return }
            var times: [Int64] = [], values: [Double] = []
            _ = chunk.appendSamples(mint: .min, maxt: .max, times: &times, values: &values)
            _ = chunk.lastSample
        }
    }

    /// Prometheus' histogram chunk data read as an integer and as a float histogram chunk: every
    /// sample decoded and appended to a new chunk again, the last one's buckets listed with their
    /// bounds (listing every sample's would spend the fuzzer's time on formatting).
    static func decodeHistogramChunk(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            if let samples = HistogramChunk(prometheusData: raw, minTime: 0, maxTime: .max)?.histograms() {
                var again = HistogramChunk()
                for s in samples { _ = again.append(t: s.t, s.histogram) }
                _ = samples.last?.histogram.description
                _ = samples.last?.histogram.inconsistency
            }
            if let samples = FloatHistogramChunk(prometheusData: raw, minTime: 0, maxTime: .max)?.histograms() {
                var again = FloatHistogramChunk()
                for s in samples { _ = again.append(t: s.t, s.histogram) }
                _ = samples.last?.histogram.description
            }
        }
    }

    /// A segment of Prometheus' WAL, every record read and decoded.
    static func readPrometheusWAL(_ bytes: [UInt8]) {
        var reader = PrometheusWALSegmentReader(bytes: bytes)
        while let record = reader.next() { _ = PrometheusWALRecord(record) }
    }

    /// A head chunk file: opened (its records walked), then every chunk that checks out decoded.
    static func readHeadChunkFile(_ bytes: [UInt8]) {
        let directory = NSTemporaryDirectory() + "vigil-fuzz-head-chunks-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory + "/000001", contents: Data(bytes))
        guard let files = try? HeadChunkFiles(directory: directory, readOnly: true, logger: Logger(label: "fuzz")) else { return }
        var times: [Int64] = [], values: [Double] = []
        for chunk in files.allChunks() {
            switch chunk {
            case .float(let c):
                _ = c.appendSamples(mint: .min, maxt: .max, times: &times, values: &values)
                _ = c.lastSample
            case .histogram(let c):
                _ = c.histograms()
                _ = c.lastHistogram
            case .floatHistogram(let c):
                _ = c.histograms()
                _ = c.lastHistogram
            }
        }
    }
}
