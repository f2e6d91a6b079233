import Logging

/// Loads the head of a Prometheus data directory, so Vigil started on it serves the last hours
/// too, not only the blocks: the newest complete checkpoint (`wal/checkpoint.N`), then the
/// segments after it. Prometheus' files are only read. A marker in Vigil's WAL directory records
/// the last segment imported, so a restart does not read them again.
enum PrometheusWALImport {
    static let markerName = "prometheus-wal-imported"

    struct Outcome {
        var series = 0
        var samples = 0
        var lastSegment: Int?
        var problems: [String] = []
    }

    /// Imports what `<directory>/wal` holds (when it is Prometheus' WAL) into `head`.
    static func run(into head: Head, directory: String, vigilWALDirectory: String, logger: Logger) -> Outcome {
        var outcome = Outcome()
        let walDir = directory + "/wal"
        let segments = WAL.segments(in: walDir)
        guard !segments.isEmpty, !WALLocation.holdsVigilWAL(walDir) else { return outcome }
        let imported = (try? PosixFile.readAll(vigilWALDirectory + "/" + markerName))
            .flatMap { bytes in String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.flatMap { Int($0) } }
        let checkpoints = PosixFile.list(walDir).compactMap { name -> Int? in
            guard name.hasPrefix("checkpoint."), PosixFile.isDirectory(walDir + "/" + name) else { return nil }
            return Int(name.dropFirst("checkpoint.".count))
        }
        var paths: [String] = []
        var after = imported ?? -1
        if let checkpoint = checkpoints.max(), checkpoint > after {
            let dir = walDir + "/" + checkpointName(checkpoint)
            paths += WAL.segments(in: dir).map { dir + "/" + WAL.segmentName($0) }
            after = checkpoint
        }
        paths += segments.filter { $0 > after }.map { walDir + "/" + WAL.segmentName($0) }
        guard !paths.isEmpty else { return outcome }
        logger.info("importing Prometheus' WAL", metadata: ["directory": "\(walDir)", "segments": "\(paths.count)"])
        var refs: [UInt64: SeriesRef] = [:]
        for path in paths {
            let bytes: [UInt8]
            do { bytes = try PosixFile.readAll(path) } catch {
                outcome.problems.append("\(error)")
                continue
            }
            var reader = PrometheusWALSegmentReader(bytes: bytes)
            var records: [PrometheusWALRecord] = []
            while let raw = reader.next() {
                guard let record = PrometheusWALRecord(raw) else {
                    outcome.problems.append("\(path): a record does not decode")
                    continue
                }
                records.append(record)
                if records.count >= 1024 {
                    outcome.samples += head.importPrometheusRecords(records, refs: &refs)
                    records.removeAll(keepingCapacity: true)
                }
            }
            outcome.samples += head.importPrometheusRecords(records, refs: &refs)
            if let stop = reader.stop { outcome.problems.append("\(path): \(stop)") }
            if reader.unsupportedRecords > 0 {
                outcome.problems.append("\(path): \(reader.unsupportedRecords) zstd-compressed records not read")
            }
        }
        outcome.series = refs.count
        outcome.lastSegment = segments.max()
        return outcome
    }

    /// Records that segments up to `segment` are in Vigil's storage now.
    static func markImported(upTo segment: Int, vigilWALDirectory: String) throws(StorageIOError) {
        try PosixFile.writeDurably(Array("\(segment)\n".utf8), to: vigilWALDirectory + "/" + markerName)
    }

    static func checkpointName(_ n: Int) -> String { "checkpoint." + WAL.segmentName(n) }
}
