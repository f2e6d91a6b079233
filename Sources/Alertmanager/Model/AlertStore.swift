import MetricModel
import Synchronization

/// Every alert the Alertmanager knows, by fingerprint: posting the same labels again updates the
/// alert rather than adding one. Resolved alerts are dropped by ``collectGarbage(now:)``.
public final class AlertStore: Sendable {
    private let alerts = Mutex<[AlertFingerprint: ManagedAlert]>([:])

    public init() {}

    /// Stores alerts, merging each with the one held under its fingerprint when their active
    /// ranges overlap; returns what is now stored for each.
    public func put(_ incoming: [ManagedAlert], now: Int64) -> [ManagedAlert] {
        alerts.withLock { table in
            incoming.map { alert in
                var stored = alert
                if let old = table[alert.fingerprint] {
                    let oldEnd = old.endsAt ?? Int64.max
                    let newEnd = alert.endsAt ?? Int64.max
                    if (newEnd > old.startsAt && newEnd < oldEnd) || (alert.startsAt > old.startsAt && alert.startsAt < oldEnd)
                        || (alert.startsAt == old.startsAt) {
                        stored = old.merged(with: alert, now: now)
                    }
                }
                table[alert.fingerprint] = stored
                return stored
            }
        }
    }

    public func get(_ fp: AlertFingerprint) -> ManagedAlert? { alerts.withLock { $0[fp] } }

    public var all: [ManagedAlert] { alerts.withLock { Array($0.values) } }

    public var count: Int { alerts.withLock { $0.count } }

    /// Drops resolved alerts, except those a group still has to notify about; returns their fingerprints.
    @discardableResult
    public func collectGarbage(now: Int64, keeping pending: Set<AlertFingerprint> = []) -> [AlertFingerprint] {
        alerts.withLock { table in
            let gone = table.values.filter { $0.isResolved(at: now) && !pending.contains($0.fingerprint) }.map(\.fingerprint)
            for fp in gone { table[fp] = nil }
            return gone
        }
    }
}
