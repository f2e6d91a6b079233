import ArgumentParser
import Foundation
import Logging
import TSDB

extension TSDBCommand {
    /// `vigil tsdb analyze`: cardinality and churn of one block (the newest by default) or of the
    /// head, as `promtool tsdb analyze` reports them.
    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the series, label and churn figures of a block or of the head (read-only).")

        @Option(name: .customLong("storage.tsdb.path"), help: "Storage directory.")
        var path = "data/"

        @Argument(help: "The block's ULID (default: the newest block, or the head when there is none).")
        var block: String?

        @Flag(name: .customLong("head"), help: "Analyse the head (the samples not yet in a block, from the WAL).")
        var head = false

        @Option(name: .customLong("limit"), help: "How many entries each list shows.")
        var limit = 20

        func validate() throws {
            guard limit >= 0 else { throw ValidationError("--limit must not be negative") }
            if head && block != nil { throw ValidationError("give a block or --head, not both") }
        }

        func run() throws {
            let (blocks, problems) = Database.blocks(in: path)
            for p in problems { FileHandle.standardError.write(Data("warning: \(p)\n".utf8)) }
            let title: String
            let analysis: CardinalityAnalysis
            if let block {
                guard let b = blocks.first(where: { $0.ulid == block }) else {
                    throw ValidationError("no block \(block) in \(path) (vigil tsdb list shows them)")
                }
                (title, analysis) = analyse(b)
            } else if !head, let newest = blocks.max(by: { $0.maxTime < $1.maxTime }) {
                (title, analysis) = analyse(newest)
            } else {
                let quiet = Logger(label: "vigil.tsdb") { _ in SwiftLogNoOpLogHandler() }
                let (store, report) = Database.readOnly(directory: path, logger: quiet)
                for c in report.corruptions { FileHandle.standardError.write(Data("warning: \(c)\n".utf8)) }
                // Everything newer than the newest block is the head.
                let floor = blocks.map(\.maxTime).max() ?? .min
                let series = store.select([], mint: floor, maxt: .max, sorted: false)
                let bounds = series.compactMap(\.timeRange)
                let range = (bounds.map(\.lowerBound).min() ?? 0)...(bounds.map(\.upperBound).max() ?? 0)
                title = "Head (WAL), \(TSDBFormat.duration(ms: range.upperBound &- range.lowerBound))"
                analysis = CardinalityAnalysis(series: series, range: range, top: limit)
            }
            print(Self.report(title: title, analysis), terminator: "")
        }

        private func analyse(_ b: Block) -> (String, CardinalityAnalysis) {
            let series = b.select([], mint: b.minTime, maxt: b.maxTime &- 1, sorted: false)
            let title = "Block ID: \(b.ulid), \(TSDBFormat.duration(ms: b.maxTime &- b.minTime))"
            return (title, CardinalityAnalysis(series: series, range: b.minTime...(b.maxTime &- 1), top: limit))
        }

        static func report(title: String, _ a: CardinalityAnalysis) -> String {
            var out = """
            \(title)
            Series: \(a.seriesCount)
            Chunks: \(a.chunkCount)
            Label names: \(a.labelNameCount)
            Postings (unique label pairs): \(a.labelPairCount)
            Postings entries (total label pairs): \(a.postingsEntries)
            Churning series (start or stop inside the range): \(a.churningSeries)

            """
            func section(_ heading: String, _ entries: [CardinalityAnalysis.Entry]) {
                out += "\n\(heading):\n"
                for e in entries { out += "\(e.count) \(e.name)\n" }
            }
            section("Highest cardinality metric names (series)", a.metricsBySeries)
            section("Highest cardinality labels (distinct values)", a.labelsByValues)
            section("Most common label pairs (series)", a.commonLabelPairs)
            section("Label pairs most involved in churning (series)", a.churningLabelPairs)
            return out
        }
    }
}
