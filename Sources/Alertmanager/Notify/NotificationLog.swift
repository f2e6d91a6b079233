import Foundation
import Logging
import Synchronization

/// What was last sent to one integration of one receiver for one group, so that a flush (or a
/// restart) neither repeats an unchanged notification before `repeat_interval` nor forgets one.
public struct NotificationLogEntry: Sendable, Equatable, Codable {
    public var groupKey: String
    public var receiver: String
    /// The integration and its position in the receiver, e.g. `email[0]`.
    public var integration: String
    public var firing: Set<AlertFingerprint>
    public var resolved: Set<AlertFingerprint>
    public var timestamp: Int64
    public var expiresAt: Int64

    public init(groupKey: String, receiver: String, integration: String, firing: Set<AlertFingerprint>, resolved: Set<AlertFingerprint>,
                timestamp: Int64, expiresAt: Int64) {
        self.groupKey = groupKey
        self.receiver = receiver
        self.integration = integration
        self.firing = firing
        self.resolved = resolved
        self.timestamp = timestamp
        self.expiresAt = expiresAt
    }
}

/// The notification log: entries by group, receiver and integration, saved to a JSON file after
/// every notification (atomically), loaded at start.
public final class NotificationLog: Sendable {
    public let retentionMs: Int64
    private let file: StateFile<NotificationLogEntry>
    private let entries = Mutex<[String: NotificationLogEntry]>([:])

    public init(file: String?, retentionMs: Int64 = 120 * 3_600_000, logger: Logger) {
        self.file = StateFile(path: file, what: "notification log entries", logger: logger)
        self.retentionMs = retentionMs
        let saved = self.file.load()
        entries.withLock { table in
            for e in saved { table[Self.key(e.groupKey, e.receiver, e.integration)] = e }
        }
    }

    static func key(_ groupKey: String, _ receiver: String, _ integration: String) -> String {
        groupKey + "\u{1F}" + receiver + "\u{1F}" + integration
    }

    public func entry(groupKey: String, receiver: String, integration: String) -> NotificationLogEntry? {
        entries.withLock { $0[Self.key(groupKey, receiver, integration)] }
    }

    public func log(groupKey: String, receiver: String, integration: String, firing: Set<AlertFingerprint>,
                    resolved: Set<AlertFingerprint>, now: Int64) {
        let e = NotificationLogEntry(groupKey: groupKey, receiver: receiver, integration: integration, firing: firing,
                                     resolved: resolved, timestamp: now, expiresAt: now + retentionMs)
        entries.withLock { $0[Self.key(groupKey, receiver, integration)] = e }
        save()
    }

    public var all: [NotificationLogEntry] { entries.withLock { Array($0.values) } }

    public func collectGarbage(now: Int64) {
        let removed = entries.withLock { table in
            let old = table.filter { $0.value.expiresAt < now }.map(\.key)
            for k in old { table[k] = nil }
            return old.count
        }
        if removed > 0 { save() }
    }

    public func save() {
        file.save(all.sorted { ($0.groupKey, $0.receiver, $0.integration) < ($1.groupKey, $1.receiver, $1.integration) })
    }

    /// Alertmanager's rule for whether a flush notifies: never-notified groups only when something
    /// fires; any newly firing alert; all resolved after firing was notified; newly resolved alerts
    /// for integrations that send them; otherwise only once `repeat_interval` has passed.
    public static func needsUpdate(_ entry: NotificationLogEntry?, firing: Set<AlertFingerprint>, resolved: Set<AlertFingerprint>,
                                   sendResolved: Bool, repeatIntervalMs: Int64, now: Int64) -> Bool {
        guard let entry else { return !firing.isEmpty }
        if !firing.isSubset(of: entry.firing) { return true }
        if firing.isEmpty { return !entry.firing.isEmpty }
        if sendResolved, !resolved.isSubset(of: entry.resolved) { return true }
        return entry.timestamp < now - repeatIntervalMs
    }
}
