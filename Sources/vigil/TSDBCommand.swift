import ArgumentParser
import Foundation
import Logging
import MetricModel
import TSDB

/// `vigil tsdb`: offline tools for a storage directory.
struct TSDBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsdb", abstract: "Inspect a Vigil storage directory.", subcommands: [List.self, Analyze.self, Dump.self])

    /// `vigil tsdb dump`: prints every sample, one line each, as `{labels} value timestamp_ms`
    /// (a native histogram's value as `{count:…, sum:…, buckets…}`).
    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the samples of a storage directory (read-only; safe beside a running server).")

        @Option(name: .customLong("storage.tsdb.path"), help: "Storage directory.")
        var path = "data/"

        @Option(name: .customLong("match"), help: "Only series with this label, as name=value (repeatable).")
        var match: [String] = []

        @Option(name: .customLong("min-time"), help: "Earliest timestamp in milliseconds.")
        var minTime: Int64 = .min

        @Option(name: .customLong("max-time"), help: "Latest timestamp in milliseconds.")
        var maxTime: Int64 = .max

        func run() throws {
            var matchers: [LabelMatcher] = []
            for m in match {
                guard let eq = m.firstIndex(of: "=") else { throw ValidationError("--match takes name=value, got \"\(m)\"") }
                matchers.append(try LabelMatcher(.equal, String(m[..<eq]), String(m[m.index(after: eq)...])))
            }
            let quiet = Logger(label: "vigil.tsdb") { _ in SwiftLogNoOpLogHandler() }
            let (head, report) = Database.readOnly(directory: path, logger: quiet)
            for c in report.corruptions { FileHandle.standardError.write(Data("warning: \(c)\n".utf8)) }
            var out = ""
            for series in head.select(matchers, mint: minTime, maxt: maxTime) {
                let labels = "{" + series.labels.pairs.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
                // Float and histogram samples in one time order; a histogram prints as
                // Prometheus prints one: `{count:…, sum:…, (lower,upper]:count, …}`.
                var lines: [(t: Int64, value: String)] = series.samples(mint: minTime, maxt: maxTime).map { s in
                    (s.t, StaleNaN.isStale(s.v) ? "StaleNaN" : "\(s.v)")
                }
                if series.hasHistograms {
                    lines += series.histogramSamples(mint: minTime, maxt: maxTime).map { ($0.t, $0.histogram.description) }
                    lines += series.floatHistogramSamples(mint: minTime, maxt: maxTime).map { ($0.t, $0.histogram.description) }
                    lines.sort { $0.t < $1.t }
                }
                for line in lines { out += "\(labels) \(line.value) \(line.t)\n" }
                if out.utf8.count > 1 << 20 {
                    FileHandle.standardOutput.write(Data(out.utf8))
                    out = ""
                }
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }
}
