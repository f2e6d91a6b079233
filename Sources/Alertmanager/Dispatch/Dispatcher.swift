import Logging
import MetricModel
import Synchronization

/// What the dispatcher hands the notification pipeline when a group is due.
public struct GroupFlush: Sendable {
    public var key: String
    public var groupLabels: Labels
    public var route: Route
    public var alerts: [ManagedAlert]
    public var now: Int64
}

/// Routes alerts into aggregation groups and flushes each group when its timer says so.
///
/// One task waits for the earliest group deadline (or for new alerts); due groups are flushed
/// concurrently, each at most once at a time, so a slow mail server delays only its own groups.
public final class Dispatcher: Sendable {
    public typealias Flush = @Sendable (GroupFlush) async -> Bool

    private struct State: Sendable {
        var route: Route
        var groups: [GroupID: AggregationGroup] = [:]
        var alarm: (at: Int64, task: Task<Void, Never>)?
    }

    private let state: Mutex<State>
    private let clock: any WallClock
    private let flush: Flush
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let logger: Logger

    public init(route: Route, clock: any WallClock, logger: Logger, flush: @escaping Flush) {
        self.state = Mutex(State(route: route))
        self.clock = clock
        self.flush = flush
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Takes a new routing tree: groups start over (the notification log keeps receivers from
    /// hearing twice about what they already know), and `alerts` are routed again.
    public func apply(route: Route, alerts: [ManagedAlert]) {
        state.withLock { s in
            s.route = route
            s.groups = [:]
        }
        process(alerts)
    }

    /// Routes alerts (new or updated) into their groups.
    public func process(_ alerts: [ManagedAlert]) {
        guard !alerts.isEmpty else { return }
        let now = clock.nowMs()
        state.withLock { s in
            for alert in alerts {
                for route in s.route.match(alert.labels) {
                    let labels = route.groupBy.groupLabels(of: alert.labels)
                    let id = GroupID(routeID: route.id, labels: labels)
                    var group = s.groups[id] ?? AggregationGroup(route: route, labels: labels, now: now)
                    group.insert(alert, now: now)
                    s.groups[id] = group
                }
            }
        }
        wake.yield()
    }

    /// The receivers an alert with these labels is routed to.
    public func receivers(for labels: Labels) -> [String] {
        state.withLock { s in
            var seen: [String] = []
            for r in s.route.match(labels) where !seen.contains(r.receiver) { seen.append(r.receiver) }
            return seen
        }
    }

    /// The current groups, for the API.
    public var groups: [AggregationGroup] { state.withLock { Array($0.groups.values) } }

    /// Flushes due groups until cancelled.
    public func run() async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { tasks in
                wake.yield()
                for await _ in wakeups {
                    let now = clock.nowMs()
                    let due = takeDueGroups(now: now)
                    for (id, flush) in due {
                        tasks.addTask { await self.run(flush, id: id) }
                    }
                    scheduleAlarm(now: now)
                }
            }
        } onCancel: {
            wake.finish()
            state.withLock { $0.alarm?.task.cancel() }
        }
    }

    private func takeDueGroups(now: Int64) -> [(GroupID, GroupFlush)] {
        state.withLock { s in
            var due: [(GroupID, GroupFlush)] = []
            for (id, var group) in s.groups {
                guard let alerts = group.startFlush(now: now) else { continue }
                s.groups[id] = group
                due.append((id, GroupFlush(key: group.key, groupLabels: id.labels, route: group.route, alerts: alerts, now: now)))
            }
            return due
        }
    }

    private func run(_ f: GroupFlush, id: GroupID) async {
        let ok = await flush(f)
        state.withLock { s in
            guard var group = s.groups[id] else { return }
            group.finishFlush(notified: f.alerts, flushedAt: f.now, succeeded: ok)
            s.groups[id] = group.isEmpty ? nil : group
        }
        wake.yield()
    }

    /// Arms a timer for the earliest deadline of a group not being flushed.
    private func scheduleAlarm(now: Int64) {
        state.withLock { s in
            let next = s.groups.values.filter { !$0.isFlushing }.map(\.nextFlushMs).min()
            guard let next else { return }
            if let alarm = s.alarm, alarm.at <= next, alarm.at > now { return }
            s.alarm?.task.cancel()
            let clock = self.clock, wake = self.wake
            s.alarm = (next, Task {
                do { try await clock.sleep(untilMs: next) } catch { return }
                wake.yield()
            })
        }
    }
}
