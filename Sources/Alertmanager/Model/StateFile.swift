import ConfigSupport
import Foundation
import Logging

/// A JSON file of records (silences, notification-log entries) that survives restarts: read once
/// at start (a damaged file is logged and treated as empty), rewritten atomically after changes.
struct StateFile<Record: Codable & Sendable>: Sendable {
    /// Nothing is read or written without a path.
    let path: String?
    /// What the records are, for log messages.
    let what: String
    let logger: Logger

    func load() -> [Record] {
        guard let path else { return [] }
        AtomicFile.removeLeftovers(of: path)
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        do { return try JSONDecoder().decode([Record].self, from: data) } catch {
            logger.error("cannot read saved \(what); starting without them", metadata: ["file": "\(path)", "error": "\(error)"])
            return []
        }
    }

    func save(_ records: [Record]) {
        guard let path else { return }
        do { try AtomicFile.write(try JSONEncoder().encode(records), to: path) } catch {
            logger.error("cannot save \(what)", metadata: ["file": "\(path)", "error": "\(error)"])
        }
    }
}
