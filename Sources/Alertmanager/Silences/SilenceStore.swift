import Foundation
import Logging
import MetricModel
import Synchronization

/// The silences, kept in memory with their compiled matchers and saved to a JSON file after every
/// change (written to a temporary file, then renamed, so a crash never leaves half a file).
public final class SilenceStore: Sendable {
    /// Expired silences are kept this long, then forgotten.
    public let retentionMs: Int64
    private let file: StateFile<Silence>

    private struct Entry: Sendable {
        var silence: Silence
        var matchers: [LabelMatcher]
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Loads the silences saved in `file` (when given and present).
    public init(file: String?, retentionMs: Int64 = 120 * 3_600_000, logger: Logger) {
        self.file = StateFile(path: file, what: "silences", logger: logger)
        self.retentionMs = retentionMs
        var table: [String: Entry] = [:]
        for s in self.file.load() {
            guard let matchers = try? s.matchers.map({ (m) throws(RegexSyntaxError) in try m.compiled() }) else { continue }
            table[s.id] = Entry(silence: s, matchers: matchers)
        }
        entries.withLock { $0 = table }
    }

    public var all: [Silence] { entries.withLock { $0.values.map(\.silence) } }

    public func get(_ id: String) -> Silence? { entries.withLock { $0[id]?.silence } }

    /// Creates a silence (empty `id`) or changes one; returns its id. A change that cannot be made
    /// in place (other matchers, or a start moved on an active silence) expires the old silence and
    /// creates a new one, as Alertmanager does.
    public func set(_ proposed: Silence, now: Int64) throws(SilenceError) -> String {
        var s = proposed
        let matchers = try Self.validate(s)
        let id: String = try entries.withLock { (table) throws(SilenceError) -> String in
            if !s.id.isEmpty {
                guard let old = table[s.id] else { throw SilenceError.notFound(s.id) }
                if Self.canUpdate(old.silence, to: s, now: now) {
                    s.updatedAt = now
                    table[s.id] = Entry(silence: s, matchers: matchers)
                    return s.id
                }
                if s.endsAt <= now { throw SilenceError.invalid("end time can't be in the past") }
                if old.silence.state(at: now) != .expired {
                    var expired = old.silence
                    Self.expire(&expired, now: now)
                    table[s.id] = Entry(silence: expired, matchers: old.matchers)
                }
            }
            if s.endsAt <= now { throw SilenceError.invalid("end time can't be in the past") }
            if s.startsAt < now { s.startsAt = now }
            s.id = UUID().uuidString.lowercased()
            s.updatedAt = now
            table[s.id] = Entry(silence: s, matchers: matchers)
            return s.id
        }
        save()
        return id
    }

    /// Ends a silence now (a pending one never starts).
    public func expire(_ id: String, now: Int64) throws(SilenceError) {
        try entries.withLock { (table) throws(SilenceError) in
            guard var e = table[id] else { throw SilenceError.notFound(id) }
            guard e.silence.state(at: now) != .expired else { throw SilenceError.alreadyExpired(id) }
            Self.expire(&e.silence, now: now)
            table[id] = e
        }
        save()
    }

    /// The ids of the active silences that match these labels.
    public func silencing(_ labels: Labels, now: Int64) -> [String] {
        entries.withLock { table in
            table.values.filter { $0.silence.state(at: now) == .active && labels.matches($0.matchers) }.map(\.silence.id).sorted()
        }
    }

    /// Forgets silences that expired more than the retention ago.
    public func collectGarbage(now: Int64) {
        let removed = entries.withLock { table in
            let old = table.values.filter { $0.silence.endsAt + retentionMs < now }.map(\.silence.id)
            for id in old { table[id] = nil }
            return old.count
        }
        if removed > 0 { save() }
    }

    /// Writes every silence to the file (nothing without one).
    public func save() {
        file.save(all.sorted { $0.id < $1.id })
    }

    static func validate(_ s: Silence) throws(SilenceError) -> [LabelMatcher] {
        guard !s.matchers.isEmpty else { throw SilenceError.invalid("at least one matcher required") }
        var compiled: [LabelMatcher] = []
        for m in s.matchers {
            guard !m.name.isEmpty else { throw SilenceError.invalid("invalid label matcher: label name must not be empty") }
            do { compiled.append(try m.compiled()) } catch {
                throw SilenceError.invalid("invalid label matcher: invalid regular expression \(GoQuotedString.quote(m.value)): \(error)")
            }
        }
        if compiled.allSatisfy(\.matchesEmpty) {
            throw SilenceError.invalid("at least one matcher must not match the empty string")
        }
        guard s.endsAt >= s.startsAt else { throw SilenceError.invalid("end time must not be before start time") }
        return compiled
    }

    static func canUpdate(_ old: Silence, to new: Silence, now: Int64) -> Bool {
        guard old.matchers == new.matchers else { return false }
        switch old.state(at: now) {
        case .active: return new.startsAt == old.startsAt && new.endsAt >= now
        case .pending: return new.startsAt >= now
        case .expired: return false
        }
    }

    static func expire(_ s: inout Silence, now: Int64) {
        if s.state(at: now) == .pending { s.startsAt = now }
        s.endsAt = now
        s.updatedAt = now
    }
}
