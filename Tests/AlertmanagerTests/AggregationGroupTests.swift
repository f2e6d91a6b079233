import Foundation
import Logging
import Alertmanager
import MetricModel
import Testing

/// Group timing in simulated time: group_wait, group_interval, immediate flush of old alerts,
/// and forgetting resolved alerts only after they were notified.
@Suite struct AggregationGroupTests {
    static func route(wait: Int64 = 30_000, interval: Int64 = 300_000) throws -> Route {
        let c = try AlertmanagerConfiguration.parse("""
            route: {receiver: a, group_by: [alertname], group_wait: \(wait)ms, group_interval: \(interval)ms}
            receivers: [{name: a}]
            """, file: "am.yml")
        return c.route
    }

    static func alert(_ name: String, instance: String = "x", startsAt: Int64, endsAt: Int64? = nil, at now: Int64) -> ManagedAlert {
        ManagedAlert(labels: Labels(["alertname": name, "instance": instance]), startsAt: startsAt, endsAt: endsAt, updatedAt: now)
    }

    @Test func firstFlushWaitsGroupWaitThenFollowsGroupInterval() throws {
        let t0: Int64 = 1_000_000
        var g = AggregationGroup(route: try Self.route(), labels: Labels(["alertname": "Down"]), now: t0)
        g.insert(Self.alert("Down", startsAt: t0, at: t0), now: t0)
        #expect(g.key == #"{}:{alertname="Down"}"#)
        #expect(g.startFlush(now: t0 + 29_999) == nil)
        let firstResult = g.startFlush(now: t0 + 30_000)
        let first = try #require(firstResult)
        #expect(first.count == 1)
        #expect(g.startFlush(now: t0 + 30_001) == nil, "one flush at a time")
        g.finishFlush(notified: first, flushedAt: t0 + 30_000, succeeded: true)
        // A new alert joining after the first flush waits for the group interval, not group_wait.
        g.insert(Self.alert("Down", instance: "y", startsAt: t0 + 40_000, at: t0 + 40_000), now: t0 + 40_000)
        #expect(g.startFlush(now: t0 + 100_000) == nil)
        #expect(g.startFlush(now: t0 + 330_000)?.count == 2)
    }

    @Test func anAlertOlderThanGroupWaitIsNotifiedAtOnce() throws {
        let t0: Int64 = 5_000_000
        var g = AggregationGroup(route: try Self.route(), labels: Labels(["alertname": "Old"]), now: t0)
        g.insert(Self.alert("Old", startsAt: t0 - 60_000, at: t0), now: t0)
        #expect(g.startFlush(now: t0)?.count == 1)
    }

    @Test func resolvedAlertsAreForgottenOnlyAfterASuccessfulNotification() throws {
        let t0: Int64 = 1_000_000
        var g = AggregationGroup(route: try Self.route(wait: 0), labels: Labels(["alertname": "A"]), now: t0)
        let resolved = Self.alert("A", startsAt: t0 - 10, endsAt: t0 - 1, at: t0)
        g.insert(resolved, now: t0)
        let failedFlushResult = g.startFlush(now: t0)
        let failedFlush = try #require(failedFlushResult)
        g.finishFlush(notified: failedFlush, flushedAt: t0, succeeded: false)
        #expect(!g.isEmpty, "kept for the next try")
        let nextResult = g.startFlush(now: t0 + 300_000)
        let next = try #require(nextResult)
        g.finishFlush(notified: next, flushedAt: t0 + 300_000, succeeded: true)
        #expect(g.isEmpty)
    }

    @Test func anAlertThatFiresAgainDuringAFlushIsKept() throws {
        let t0: Int64 = 1_000_000
        var g = AggregationGroup(route: try Self.route(wait: 0), labels: Labels(["alertname": "A"]), now: t0)
        g.insert(Self.alert("A", startsAt: t0 - 10, endsAt: t0 - 1, at: t0), now: t0)
        let flushResult = g.startFlush(now: t0)
        let flush = try #require(flushResult)
        g.insert(Self.alert("A", startsAt: t0 + 5, at: t0 + 5), now: t0 + 5)
        g.finishFlush(notified: flush, flushedAt: t0, succeeded: true)
        #expect(!g.isEmpty)
    }
}

@Suite struct NotificationLogTests {
    let a = AlertFingerprint(1), b = AlertFingerprint(2)

    func entry(firing: Set<AlertFingerprint>, resolved: Set<AlertFingerprint> = [], at t: Int64) -> NotificationLogEntry {
        NotificationLogEntry(groupKey: "g", receiver: "r", integration: "webhook[0]", firing: firing, resolved: resolved, timestamp: t, expiresAt: t + 1000)
    }

    @Test func decidesLikeAlertmanager() {
        let repeatMs: Int64 = 3_600_000
        func needs(_ e: NotificationLogEntry?, _ firing: Set<AlertFingerprint>, _ resolved: Set<AlertFingerprint>, sendResolved: Bool = true, now: Int64 = 10_000) -> Bool {
            NotificationLog.needsUpdate(e, firing: firing, resolved: resolved, sendResolved: sendResolved, repeatIntervalMs: repeatMs, now: now)
        }
        #expect(needs(nil, [a], []), "never notified, something fires")
        #expect(!needs(nil, [], [a]), "never notified, only resolved alerts")
        #expect(!needs(entry(firing: [a], at: 9_000), [a], []), "nothing changed")
        #expect(needs(entry(firing: [a], at: 9_000), [a, b], []), "a new alert fires")
        #expect(needs(entry(firing: [a, b], at: 9_000), [a], [b]), "one resolved, send_resolved")
        #expect(!needs(entry(firing: [a, b], at: 9_000), [a], [b], sendResolved: false), "one resolved, no send_resolved")
        #expect(needs(entry(firing: [a], at: 9_000), [], [a], sendResolved: false), "all resolved clears the log either way")
        #expect(!needs(entry(firing: [], at: 9_000), [], [a]), "fired and resolved between notifications")
        #expect(needs(entry(firing: [a], at: 0), [a], [], now: repeatMs + 1), "repeat interval passed")
    }

    @Test func survivesARestart() throws {
        let file = NSTemporaryDirectory() + "nflog-\(UInt64.random(in: 0...UInt64.max)).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let log = NotificationLog(file: file, logger: .init(label: "test"))
        log.log(groupKey: "g", receiver: "r", integration: "email[0]", firing: [a], resolved: [b], now: 42)
        let reopened = NotificationLog(file: file, logger: .init(label: "test"))
        let e = try #require(reopened.entry(groupKey: "g", receiver: "r", integration: "email[0]"))
        #expect(e.firing == [a] && e.resolved == [b] && e.timestamp == 42)
    }
}
