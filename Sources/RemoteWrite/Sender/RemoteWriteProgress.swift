import Foundation
import MetricModel
import TSDB

/// Where a queue stopped sending, kept in `<storage>/remote_write/<queue>.position` as
/// `segment offset`, written atomically.
package struct RemoteWriteProgress: Sendable {
    package let directory: String
    /// The file's name, from the queue's name (names may hold any character).
    package let key: String

    package init(directory: String, queue: String) {
        self.directory = directory
        var hash = FNV1a64()
        hash.add(queue)
        let safe = String(queue.unicodeScalars.map { s in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_") ? Character(s) : "_"
        }.prefix(40))
        key = safe + "-" + String(hash.value, radix: 16)
    }

    var path: String { directory + "/" + key + ".position" }

    /// The saved position, if any (an unreadable file counts as none).
    package func load() -> WALPosition? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2, let segment = Int(parts[0]), let offset = Int(parts[1]), segment >= 0, offset >= 0 else { return nil }
        return WALPosition(segment: segment, offset: offset)
    }

    package func save(_ position: WALPosition) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("\(position.segment) \(position.offset)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
