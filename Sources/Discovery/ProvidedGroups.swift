import Config
import Synchronization

/// The latest groups of each provider of one job, written by the providers' tasks and taken
/// by the scrape manager when they changed.
package final class ProvidedGroups: Sendable {
    private struct State {
        var groups: [[TargetGroup]]
        var changed = false
    }

    private let state: Mutex<State>

    package init(providers: Int) { state = Mutex(State(groups: Array(repeating: [], count: providers))) }

    /// Replaces provider `index`'s groups.
    package func publish(_ groups: [TargetGroup], from index: Int) {
        state.withLock { s in
            guard s.groups.indices.contains(index), s.groups[index] != groups else { return }
            s.groups[index] = groups
            s.changed = true
        }
    }

    /// All providers' groups if any changed since the last call, else nil.
    package func takeChanges() -> [TargetGroup]? {
        state.withLock { s in
            guard s.changed else { return nil }
            s.changed = false
            return s.groups.flatMap { $0 }
        }
    }
}
