import Logging

/// Where Vigil's WAL lives, and the move out of `wal/` for data directories written before it had
/// a directory of its own.
enum WALLocation {
    /// Whether `directory` holds WAL segments in Vigil's format (a readable first record in its
    /// first non-empty segment); false for Prometheus' WAL and for no segments at all.
    static func holdsVigilWAL(_ directory: String) -> Bool {
        for segment in WAL.segments(in: directory) {
            let path = directory + "/" + WAL.segmentName(segment)
            guard let size = PosixFile.size(path), size > 0 else { continue }
            guard let head = try? PosixFile.readTail(path, from: 0, limit: 1 << 20) else { return false }
            var reader = WALSegmentReader(bytes: head)
            return reader.next() != nil
        }
        return false
    }

    /// Renames `<directory>/wal` to Vigil's WAL directory when it holds Vigil's WAL and the new
    /// directory does not exist yet. A Prometheus WAL there is left alone (and imported, see
    /// ``PrometheusWALImport``).
    static func moveLegacyWAL(in directory: String, logger: Logger) {
        let legacy = directory + "/wal", current = directory + "/" + Database.walDirectoryName
        guard PosixFile.isDirectory(legacy), !PosixFile.exists(current) else { return }
        let onlyEmptySegments = WAL.segments(in: legacy).allSatisfy { (PosixFile.size(legacy + "/" + WAL.segmentName($0)) ?? 0) == 0 }
        let hasVigilSnapshot = PosixFile.list(directory).contains { HeadSnapshot.segment(ofFile: $0) != nil }
        if holdsVigilWAL(legacy) || (onlyEmptySegments && hasVigilSnapshot) {
            do {
                try PosixFile.rename(legacy, current)
                PosixFile.syncDirectory(directory)
                logger.info("moved the WAL to its own directory", metadata: ["from": "\(legacy)", "to": "\(current)"])
            } catch {
                logger.error("could not move the WAL to \(current): \(error)")
            }
        }
    }
}
