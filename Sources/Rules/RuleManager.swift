import Foundation
import Logging
import MetricModel
import PromQL
import ServiceLifecycle
import Synchronization
import TSDB

/// Runs the loaded rule groups on their schedules and keeps their state for the API; reloads
/// replace the groups and carry alert state over. Each group is evaluated in its own task at its
/// own slots, so a slow group delays nobody else; an evaluation that misses slots counts them
/// instead of catching up.
public final class RuleManager: Service, Sendable {
    private struct Entry: Sendable {
        var state: RuleGroupState
        var schedule: GroupSchedule
        var next: Int64
        /// An evaluation of this group is under way.
        var running = false
    }

    private struct State: Sendable {
        var entries: [Entry] = []
        /// Bumped by every reload, so an evaluation finishing after one does not write back stale state.
        var generation = 0
        var missedIterations = 0
    }

    private let state = Mutex(State())
    private let engine: Engine
    private let querier: any Querier
    private let storage: any Appendable
    private let logger: Logger
    private let clock: any WallClock
    /// Receives the alerts due for sending after each group evaluation.
    private let notify: @Sendable ([AlertNotification]) -> Void
    /// How often firing alerts are sent again (`--rules.alert.resend-delay`).
    public let resendDelay: Int64
    /// How alerts resume after a restart (`--rules.alert.for-outage-tolerance`, `--rules.alert.for-grace-period`).
    public let restoration: ForStateRestoration
    /// Runs one group evaluation (synchronous work) and returns when it is done.
    public typealias EvaluationRunner = @Sendable (_ evaluation: @escaping @Sendable () -> Void) async -> Void
    /// Where `run()` evaluates groups: in its own tasks by default; the server passes a
    /// thread pool for blocking work, so a slow group never holds an event loop.
    private let runEvaluation: EvaluationRunner

    public init(engine: Engine, querier: any Querier, storage: any Appendable, logger: Logger,
                resendDelay: Int64 = 60_000, restoration: ForStateRestoration = ForStateRestoration(),
                clock: any WallClock = SystemWallClock(),
                runEvaluation: @escaping EvaluationRunner = { $0() },
                notify: @escaping @Sendable ([AlertNotification]) -> Void = { _ in }) {
        self.runEvaluation = runEvaluation
        self.resendDelay = resendDelay
        self.restoration = restoration
        self.notify = notify
        self.engine = engine
        self.querier = querier
        self.storage = storage
        self.logger = logger
        self.clock = clock
    }

    /// Replaces the rule groups; groups with the same file and name keep their alerts.
    public func apply(_ files: [RuleFile], evaluationInterval: Int64, templates: RuleTemplates = RuleTemplates()) {
        let t = clock.nowMs()
        state.withLock { s in
            var old: [String: RuleGroupState] = [:]
            for e in s.entries { old[Self.key(e.state)] = e.state }
            s.entries = files.flatMap { file in
                file.groups.map { group in
                    var g = RuleGroupState(group: group, file: file.path, defaultInterval: evaluationInterval)
                    if let previous = old[Self.key(g)] { g.inherit(from: previous) }
                    g.templates = templates
                    g.restoration = restoration
                    let schedule = GroupSchedule(interval: g.interval, key: Self.key(g))
                    return Entry(state: g, schedule: schedule, next: schedule.slot(after: t))
                }
            }
            s.generation += 1
        }
    }

    static func key(_ g: RuleGroupState) -> String { g.file + ";" + g.group.name }

    /// The groups as they stand, for `/api/v1/rules` and `/api/v1/alerts`.
    public var groups: [RuleGroupState] { state.withLock { $0.entries.map(\.state) } }

    /// Evaluation slots skipped because an evaluation ran late.
    public var missedIterations: Int { state.withLock { $0.missedIterations } }

    /// Evaluates each group whose slot has come, each in its own task, until cancelled.
    /// Evaluates groups on their schedules until graceful shutdown or cancellation; evaluations
    /// under way finish first.
    public func run() async {
        await cancelWhenGracefulShutdown { await self.evaluateOnSchedule() }
    }

    private func evaluateOnSchedule() async {
        await withDiscardingTaskGroup { tasks in
            while !Task.isCancelled {
                for work in takeDueGroups(at: clock.nowMs()) {
                    tasks.addTask { await self.runEvaluation { self.evaluate(work) } }
                }
                let t = clock.nowMs()
                let wait = state.withLock { s in s.entries.filter { !$0.running }.map(\.next).min() }.map { max(1, $0 - t) } ?? 1000
                // At most a second, so groups added by a reload start on time.
                do { try await clock.sleep(untilMs: t + min(wait, 1000)) } catch { break }
            }
        }
    }

    /// One pass in the caller's task: every group whose slot is due runs once, at its latest slot.
    public func evaluateDueGroups() {
        for work in takeDueGroups(at: clock.nowMs()) { evaluate(work) }
    }

    /// A group's evaluation, taken out of the shared state while it runs.
    private struct Work: Sendable {
        var index: Int
        var entry: Entry
        var generation: Int
        var at: Int64
    }

    private func takeDueGroups(at t: Int64) -> [Work] {
        state.withLock { s in
            var due: [Work] = []
            for i in s.entries.indices where s.entries[i].next <= t && !s.entries[i].running {
                s.entries[i].running = true
                due.append(Work(index: i, entry: s.entries[i], generation: s.generation, at: t))
            }
            return due
        }
    }

    private func evaluate(_ work: Work) {
        let entry = work.entry
        let t = max(work.at, clock.nowMs())
        let slot = entry.schedule.slot(atOrBefore: t)
        let missed = entry.schedule.missed(due: entry.next, now: t)
        var group = entry.state
        group.evaluate(at: slot, engine: engine, querier: querier, storage: storage)
        let outgoing = group.alertsToSend(at: slot, resendDelay: resendDelay)
        if !outgoing.isEmpty { notify(outgoing) }
        for (rule, health) in zip(group.group.rules, group.health) where health.status == .err {
            logger.warning("rule evaluation failed", metadata: ["group": "\(group.group.name)", "rule": "\(rule.name)", "error": "\(health.lastError)"])
        }
        state.withLock { s in
            s.missedIterations += missed
            guard s.generation == work.generation, work.index < s.entries.count else { return }
            s.entries[work.index].state = group
            s.entries[work.index].next = entry.schedule.slot(after: slot)
            s.entries[work.index].running = false
        }
    }
}
