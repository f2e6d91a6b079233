import MetricModel

/// An alert's identity: the FNV-1a hash of its sorted label pairs, as Alertmanager computes it,
/// printed as 16 hex digits.
public struct AlertFingerprint: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public init(_ labels: Labels) {
        var h = FNV1a64()
        for p in labels.pairs {
            h.add(p.name)
            h.add(byte: 0xFF)
            h.add(p.value)
            h.add(byte: 0xFF)
        }
        value = h.value
    }

    public init?(hex: String) {
        guard hex.utf8.count == 16, let v = UInt64(hex, radix: 16) else { return nil }
        value = v
    }

    public var description: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    public static func < (a: AlertFingerprint, b: AlertFingerprint) -> Bool { a.value < b.value }
}

/// An alert as the Alertmanager holds it: what a client posted, merged with what it posted before.
/// Times are milliseconds since the Unix epoch.
public struct ManagedAlert: Sendable, Equatable {
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Int64
    /// When the alert stops (or stopped) firing; `nil` for the zero time.
    public var endsAt: Int64?
    public var generatorURL: String
    public var updatedAt: Int64
    /// `endsAt` was not given and comes from `resolve_timeout`.
    public var timeout: Bool
    public let fingerprint: AlertFingerprint

    public init(labels: Labels, annotations: Labels = .empty, startsAt: Int64, endsAt: Int64?, generatorURL: String = "",
                updatedAt: Int64, timeout: Bool = false) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.updatedAt = updatedAt
        self.timeout = timeout
        self.fingerprint = AlertFingerprint(labels)
    }

    /// Resolved once `endsAt` is reached.
    public func isResolved(at now: Int64) -> Bool { endsAt.map { $0 <= now } ?? false }

    public var name: String { labels["alertname"] }

    /// Combines two reports of the same alert as Alertmanager does: the younger report's fields,
    /// the earliest start, and an explicit end that outlives a timeout-derived one.
    public func merged(with other: ManagedAlert, now: Int64) -> ManagedAlert {
        if other.updatedAt < updatedAt { return other.merged(with: self, now: now) }
        var result = other
        if startsAt < other.startsAt { result.startsAt = startsAt }
        if other.isResolved(at: now) {
            if isResolved(at: now), let mine = endsAt, let theirs = other.endsAt, mine > theirs { result.endsAt = mine }
        } else if let mine = endsAt, mine > (other.endsAt ?? Int64.min), !timeout {
            result.endsAt = mine
        }
        return result
    }
}
