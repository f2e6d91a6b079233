import Foundation

/// The requests `remote_write_sender.py` saw acknowledged, checked against what a storage
/// directory holds (`vigil tsdb dump`): request i is one sample at base + i with value i for
/// each of its 20 series, and a native histogram of count i at the same time.
struct AcknowledgedWrites {
    static let series = 20
    /// Requests acknowledged with a 2xx.
    var acknowledged = 0
    /// Acknowledged samples that are not stored (with the right value).
    var missing = 0
    /// Samples stored more than once.
    var duplicates = 0
    /// Distinct series stored.
    var seriesStored = 0
    /// Samples stored.
    var stored = 0
    /// The start of the dump, for failure messages.
    var dumpPrefix = ""
    /// Acknowledged histograms not stored (with the right count), stored twice, and stored.
    var histogramsMissing = 0
    var histogramDuplicates = 0
    var histogramsStored = 0

    static func check(ackFile: String, storage: String) async throws -> AcknowledgedWrites {
        var result = AcknowledgedWrites()
        let acks = (try String(contentsOfFile: ackFile, encoding: .utf8)).split(separator: "\n").compactMap { Int64($0) }
        result.acknowledged = acks.count
        let dump = try await runToolAsync(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(storage)", "--match", "__name__=crash_test"])
        result.dumpPrefix = String(dump.output.prefix(300))
        let samples = dump.output.split(separator: "\n").compactMap(DumpedSample.init)
        result.stored = samples.count
        var seen: [String: Set<Int64>] = [:]
        var values: [String: [Int64: Double]] = [:]
        for sample in samples {
            let s = sample.labels["s"] ?? ""
            if !seen[s, default: []].insert(sample.t).inserted { result.duplicates += 1 }
            values[s, default: [:]][sample.t] = sample.number
        }
        result.seriesStored = seen.count
        // Timestamps are base + i; base is the smallest stored one (request 0 was acknowledged).
        let base = samples.map(\.t).min() ?? 0
        for i in acks {
            for s in 0..<series where values["\(s)"]?[base + i] != Double(i) { result.missing += 1 }
        }
        // Histogram lines: `{labels} {count:N, sum:N, …} t`.
        let histogramDump = try await runToolAsync(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(storage)", "--match", "__name__=crash_test_histogram"])
        var counts: [Int64: Int64] = [:]
        for line in histogramDump.output.split(separator: "\n") {
            guard let start = line.range(of: "} {count:")?.upperBound, let comma = line[start...].firstIndex(of: ","),
                  let count = Int64(line[start..<comma]), let t = line.split(separator: " ").last.flatMap({ Int64($0) }) else { continue }
            result.histogramsStored += 1
            if counts.updateValue(count, forKey: t) != nil { result.histogramDuplicates += 1 }
        }
        for i in acks where counts[base + i] != i { result.histogramsMissing += 1 }
        return result
    }
}
