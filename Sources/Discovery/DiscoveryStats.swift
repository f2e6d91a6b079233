import Synchronization

/// Counters of discovery refreshes and failures by mechanism, for `/metrics`.
package final class DiscoveryStats: Sendable {
    private let table = Mutex<[String: (refreshes: Int, failures: Int)]>([:])

    package init() {}

    package func recordRefresh(_ mechanism: String, failed: Bool) {
        table.withLock { t in
            var entry = t[mechanism] ?? (0, 0)
            entry.refreshes += 1
            if failed { entry.failures += 1 }
            t[mechanism] = entry
        }
    }

    /// Refreshes and failures so far, by mechanism.
    package var snapshot: [String: (refreshes: Int, failures: Int)] { table.withLock { $0 } }
}
