import ArgumentParser
import Foundation
import TSDB

extension TSDBCommand {
    /// `vigil tsdb list`: the blocks of a data directory, one line each, as `promtool tsdb list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the blocks of a storage directory (read-only).")

        @Option(name: .customLong("storage.tsdb.path"), help: "Storage directory.")
        var path = "data/"

        @Flag(name: [.customShort("r"), .customLong("human-readable")], help: "Times as dates, sizes in KiB/MiB/GiB.")
        var humanReadable = false

        func run() throws {
            let (blocks, problems) = Database.blocks(in: path)
            for p in problems { FileHandle.standardError.write(Data("warning: \(p)\n".utf8)) }
            var rows = [["BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES", "NUM CHUNKS", "NUM SERIES", "SIZE"]]
            for b in blocks {
                let stats = b.meta.stats
                rows.append([
                    b.ulid, time(b.minTime), time(b.maxTime), TSDBFormat.duration(ms: b.maxTime &- b.minTime),
                    "\(stats.numSamples)", "\(stats.numChunks)", "\(stats.numSeries)",
                    humanReadable ? TSDBFormat.bytes(b.byteCount) : "\(b.byteCount)",
                ])
            }
            print(TSDBFormat.table(rows), terminator: "")
        }

        private func time(_ ms: Int64) -> String { humanReadable ? TSDBFormat.date(ms: ms) : "\(ms)" }
    }
}
