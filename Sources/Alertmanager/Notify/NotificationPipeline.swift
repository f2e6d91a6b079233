import Foundation
import Logging
import MetricModel
import Synchronization

/// What a flushed group goes through before anyone hears of it: time intervals, silences and
/// inhibition, the notification log's "has anything changed?", then each integration of the
/// receiver, retried with exponential backoff until the group's next interval.
public final class NotificationPipeline: Sendable {
    /// The configuration-derived parts, replaced as a whole on reload.
    struct Setup: Sendable {
        var config: AlertmanagerConfiguration
        var integrations: [String: [any Integration]]
        var templates: NotificationTemplates
        var inhibitor: Inhibitor
        var externalURL: String
    }

    /// Per-integration delivery counts.
    public struct Counters: Sendable, Equatable {
        public var notifications = 0
        public var failed = 0
        public var requests = 0
        public var failedRequests = 0
    }

    private let setup: Mutex<Setup>
    private let alerts: AlertStore
    private let silences: SilenceStore
    private let log: NotificationLog
    private let clock: any WallClock
    private let logger: Logger
    private let counterTable = Mutex<[String: Counters]>([:])
    /// First retry delay; doubles up to ``maxBackoffMs``.
    let initialBackoffMs: Int64
    let maxBackoffMs: Int64 = 30_000

    init(setup: Setup, alerts: AlertStore, silences: SilenceStore, log: NotificationLog, clock: any WallClock, logger: Logger,
         initialBackoffMs: Int64 = 500) {
        self.setup = Mutex(setup)
        self.alerts = alerts
        self.silences = silences
        self.log = log
        self.clock = clock
        self.logger = logger
        self.initialBackoffMs = initialBackoffMs
        for kind in ["email", "webhook"] { counterTable.withLock { $0[kind] = Counters() } }
    }

    func apply(_ s: Setup) { setup.withLock { $0 = s } }

    /// Counters by integration kind (`email`, `webhook`).
    public var counters: [String: Counters] { counterTable.withLock { $0 } }

    /// Notifies about one group; false when some integration could not deliver (the group keeps
    /// its resolved alerts for the next try).
    func flush(_ g: GroupFlush) async -> Bool {
        let s = setup.withLock { $0 }
        guard let receiver = s.config.receiver(named: g.route.receiver) else { return true }
        let now = g.now
        if Self.isMuted(route: g.route, intervals: s.config.timeIntervals, at: clock.nowMs()) { return true }
        let inhibited = s.inhibitor.inhibitions(of: g.alerts, among: alerts.all, now: now)
        let kept = g.alerts.filter { inhibited[$0.fingerprint] == nil && silences.silencing($0.labels, now: now).isEmpty }
        guard !kept.isEmpty else { return true }
        let integrations = s.integrations[receiver.name] ?? []
        return await withTaskGroup(of: Bool.self) { tasks in
            for (i, integration) in integrations.enumerated() {
                tasks.addTask {
                    await self.deliver(g, alerts: kept, receiver: receiver.name, integration: integration, index: i, setup: s)
                }
            }
            var ok = true
            for await result in tasks { ok = ok && result }
            return ok
        }
    }

    /// Whether a route's `mute_time_intervals` hold now, or its `active_time_intervals` do not.
    static func isMuted(route: Route, intervals: [String: [TimeInterval]], at now: Int64) -> Bool {
        func active(_ name: String) -> Bool { (intervals[name] ?? []).contains { $0.contains(now) } }
        if route.muteTimeIntervals.contains(where: active) { return true }
        if !route.activeTimeIntervals.isEmpty, !route.activeTimeIntervals.contains(where: active) { return true }
        return false
    }

    private func deliver(_ g: GroupFlush, alerts kept: [ManagedAlert], receiver: String, integration: any Integration, index: Int,
                         setup s: Setup) async -> Bool {
        let name = "\(integration.kind)[\(index)]"
        let firing = Set(kept.filter { !$0.isResolved(at: g.now) }.map(\.fingerprint))
        let resolved = Set(kept.filter { $0.isResolved(at: g.now) }.map(\.fingerprint))
        let entry = log.entry(groupKey: g.key, receiver: receiver, integration: name)
        guard NotificationLog.needsUpdate(entry, firing: firing, resolved: resolved, sendResolved: integration.sendResolved,
                                          repeatIntervalMs: g.route.repeatInterval.milliseconds, now: g.now) else { return true }
        let toSend = integration.sendResolved ? kept : kept.filter { !$0.isResolved(at: g.now) }
        guard !toSend.isEmpty else {
            log.log(groupKey: g.key, receiver: receiver, integration: name, firing: firing, resolved: resolved, now: g.now)
            return true
        }
        let n = GroupNotification(receiver: receiver, groupKey: g.key, groupLabels: g.groupLabels, alerts: toSend,
                             externalURL: s.externalURL, now: g.now)
        let deadline = g.now + g.route.groupInterval.milliseconds
        var delay = initialBackoffMs
        var attempt = 0
        count(integration.kind) { $0.notifications += 1 }
        while true {
            attempt += 1
            count(integration.kind) { $0.requests += 1 }
            do {
                try await integration.send(n, templates: s.templates, deadlineMs: deadline)
                log.log(groupKey: g.key, receiver: receiver, integration: name, firing: firing, resolved: resolved, now: g.now)
                if attempt > 1 { logger.info("notification delivered after retrying", metadata: ["receiver": "\(receiver)", "integration": "\(name)", "attempts": "\(attempt)"]) }
                return true
            } catch {
                count(integration.kind) { $0.failedRequests += 1 }
                let now = clock.nowMs()
                let jittered = delay / 2 + Int64.random(in: 0...max(1, delay / 2))
                if !error.retryable || now + jittered >= deadline || Task.isCancelled {
                    count(integration.kind) { $0.failed += 1 }
                    logger.error("notify for alerts failed", metadata: [
                        "receiver": "\(receiver)", "integration": "\(name)", "group": "\(g.key)", "attempts": "\(attempt)", "error": "\(error)",
                    ])
                    return false
                }
                logger.warning("notify attempt failed, will retry", metadata: [
                    "receiver": "\(receiver)", "integration": "\(name)", "attempt": "\(attempt)", "error": "\(error)",
                ])
                do { try await clock.sleep(untilMs: now + jittered) } catch { return false }
                delay = min(delay * 2, maxBackoffMs)
            }
        }
    }

    private func count(_ kind: String, _ change: (inout Counters) -> Void) {
        counterTable.withLock { t in
            var c = t[kind] ?? Counters()
            change(&c)
            t[kind] = c
        }
    }
}
