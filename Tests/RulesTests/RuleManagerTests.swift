import Logging
import MetricModel
import PromQL
import Synchronization
import Testing
import TSDB
@testable import Rules

@Suite struct RuleManagerTests {
    @Test(arguments: [(60_000 as Int64, "a.yml;g"), (15_000, "b.yml;h"), (1, "x")])
    func schedulesSlotsAtAStableOffset(interval: Int64, key: String) {
        let s = GroupSchedule(interval: interval, key: key)
        #expect(s.offset >= 0 && s.offset < interval)
        #expect(GroupSchedule(interval: interval, key: key) == s, "the same group keeps its slots across restarts")
        for t: Int64 in [0, 1, 59_999, 1_700_000_000_123, -5] {
            let slot = s.slot(atOrBefore: t)
            #expect(slot <= t && t - slot < interval)
            #expect((slot - s.offset) % interval == 0)
            #expect(s.slot(after: t) == slot + interval)
        }
        #expect(s.missed(due: s.slot(atOrBefore: 1_000_000), now: 1_000_000 + 3 * interval) == 3)
    }

    @Test func firingAlertsStayFiringAcrossARestart() throws {
        let head = Head.inMemory()
        let file = try RuleFile.parse("groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 10m\n", file: "r.yml")
        var app = head.appender()
        for minute: Int64 in 0...30 { _ = app.append(ref: nil, labels: Labels(["__name__": "up", "job": "a"]), t: minute * 60_000, v: 0) }
        _ = try app.commit()
        var before = RuleGroupState(group: file.groups[0], file: "r.yml", defaultInterval: 60_000)
        for minute: Int64 in 0...12 { before.evaluate(at: minute * 60_000, engine: Engine(), querier: head, storage: head) }
        #expect(before.alerting[0]?.active.first?.state == .firing)

        // A new process: fresh state, the same storage, twenty minutes later.
        var after = RuleGroupState(group: file.groups[0], file: "r.yml", defaultInterval: 60_000)
        after.evaluate(at: 30 * 60_000, engine: Engine(), querier: head, storage: head)
        let alert = try #require(after.alerting[0]?.active.first)
        #expect(alert.state == .firing, "restored from ALERTS_FOR_STATE, not pending again")
        #expect(alert.activeAt == 0)
    }

    @Test func aPendingAlertResumesItsForClockWithoutCountingTheDowntime() throws {
        let head = Head.inMemory()
        let file = try RuleFile.parse("groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 30m\n", file: "r.yml")
        var app = head.appender()
        for minute: Int64 in 0...40 { _ = app.append(ref: nil, labels: Labels(["__name__": "up", "job": "a"]), t: minute * 60_000, v: 0) }
        _ = try app.commit()
        var before = RuleGroupState(group: file.groups[0], file: "r.yml", defaultInterval: 60_000)
        for minute: Int64 in 0...10 { before.evaluate(at: minute * 60_000, engine: Engine(), querier: head, storage: head) }
        #expect(before.alerting[0]?.active.first?.state == .pending)

        // Down from minute 10 to minute 15: ten minutes of `for` were served, five were not evaluated.
        var after = RuleGroupState(group: file.groups[0], file: "r.yml", defaultInterval: 60_000)
        after.evaluate(at: 15 * 60_000, engine: Engine(), querier: head, storage: head)
        let alert = try #require(after.alerting[0]?.active.first)
        #expect(alert.state == .pending)
        #expect(alert.activeAt == 5 * 60_000, "the five minutes of downtime do not count towards for")
    }

    @Test(arguments: [
        // (activeAt, downAt, hold, now) → resumed activeAt; times in minutes.
        (0, 12, 10, 30, Optional(0)),        // was firing: fires again at once
        (0, 10, 30, 15, Optional(5)),        // pending, 20m left (≥ grace): downtime does not count
        (0, 25, 30, 27, Optional(7)),        // pending, 5m left (< grace 10m): fires 10m after the restart
        (0, 2, 5, 3, nil),                   // for shorter than the grace period: starts over
        (0, 10, 30, 80, nil),                // outage longer than the tolerance: starts over
    ] as [(Int64, Int64, Int64, Int64, Int64?)])
    func restorationFollowsOutageToleranceAndGracePeriod(activeAt: Int64, downAt: Int64, hold: Int64, now: Int64, expected: Int64?) {
        let m: Int64 = 60_000
        let r = ForStateRestoration()
        #expect(r.resumedActiveAt(activeAt: activeAt * m, downAt: downAt * m, holdMs: hold * m, now: now * m) == expected.map { $0 * m })
    }

    @Test func evaluatesGroupsAtTheirSlotsAndKeepsAlertsAcrossReloads() throws {
        let head = Head.inMemory()
        var app = head.appender()
        for s: Int64 in 0...600 { _ = app.append(ref: nil, labels: Labels(["__name__": "up", "job": "a"]), t: s * 1000, v: 0) }
        _ = try app.commit()
        let clock = ManualWallClock(startMs: 1_000)
        let manager = RuleManager(engine: Engine(), querier: head, storage: head, logger: Logger(label: "test"), clock: clock)
        let yaml = "groups:\n  - name: g\n    interval: 10s\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 20s\n"
        manager.apply([try RuleFile.parse(yaml, file: "r.yml")], evaluationInterval: 60_000)
        let schedule = GroupSchedule(interval: 10_000, key: "r.yml;g")

        manager.evaluateDueGroups()
        #expect(manager.groups[0].lastEvaluation == nil, "nothing is due before the first slot")
        var t = schedule.slot(after: 1_000)
        for _ in 0..<4 {
            clock.set(t)
            manager.evaluateDueGroups()
            #expect(manager.groups[0].lastEvaluation == t)
            t += 10_000
        }
        #expect(manager.groups[0].alerting[0]?.active.first?.state == .firing)

        // A reload that changes the annotations keeps the firing alert.
        manager.apply([try RuleFile.parse(yaml + "        annotations:\n          summary: down\n", file: "r.yml")], evaluationInterval: 60_000)
        #expect(manager.groups[0].alerting[0]?.active.first?.state == .firing)

        // A late pass counts the slots it skipped and runs once, at the latest slot.
        clock.set(t + 35_000)
        manager.evaluateDueGroups()
        #expect(manager.missedIterations == 3)
        #expect(manager.groups[0].lastEvaluation == schedule.slot(atOrBefore: t + 35_000))
    }
}
