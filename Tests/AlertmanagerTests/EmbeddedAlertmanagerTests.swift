import Alertmanager
import Foundation
import Logging
import MetricModel
import Testing

/// Receiving alerts as Alertmanager's API does, in simulated time.
@Suite struct EmbeddedAlertmanagerTests {
    static func manager(_ clock: ManualWallClock) throws -> EmbeddedAlertmanager {
        let config = try AlertmanagerConfiguration.parse("""
            global: {resolve_timeout: 1m}
            route: {receiver: a, group_by: [alertname]}
            receivers: [{name: a}]
            inhibit_rules:
              - source_matchers: [alertname=Down]
                target_matchers: [severity=warning]
                equal: [instance]
            """, file: "am.yml")
        return try EmbeddedAlertmanager(configuration: config, externalURL: "http://vigil", storagePath: nil, clock: clock, logger: Logger(label: "test"))
    }

    @Test func alertsWithoutAnEndResolveAfterResolveTimeout() throws {
        let clock = ManualWallClock(startMs: 1_800_000_000_000)
        let am = try Self.manager(clock)
        let t0 = clock.nowMs()
        #expect(am.receive([PostableAlert(labels: Labels(["alertname": "Slow", "instance": "a"]))]).isEmpty)
        let alert = try #require(am.alerts.all.first)
        #expect(alert.startsAt == t0, "a missing start is the time of arrival")
        #expect(alert.endsAt == t0 + 60_000 && alert.timeout)
        clock.advance(by: 59_000)
        #expect(am.reports().count == 1)
        // Posting it again keeps it alive for another resolve_timeout.
        am.receive([PostableAlert(labels: Labels(["alertname": "Slow", "instance": "a"]))])
        clock.advance(by: 30_000)
        #expect(am.reports().count == 1)
        clock.advance(by: 31_000)
        #expect(am.reports().isEmpty, "resolved once resolve_timeout passed without an update")
        #expect(am.alerts.all.first?.startsAt == t0, "the earliest start is kept")
    }

    @Test func invalidAlertsAreRefusedAndTheRestStored() throws {
        let am = try Self.manager(ManualWallClock(startMs: 1_800_000_000_000))
        let problems = am.receive([
            PostableAlert(labels: .empty),
            PostableAlert(labels: Labels(["alertname": "X"]), startsAt: 2_000, endsAt: 1_000),
            PostableAlert(labels: Labels(["alertname": "Ok"])),
        ])
        #expect(problems == ["at least one label pair required", "start time must be before end time"])
        #expect(am.alerts.all.map(\.name) == ["Ok"])
        #expect(am.receivedCounts.invalid == 2 && am.receivedCounts.firing == 1)
    }

    @Test func reportsShowRoutingSilencesAndInhibition() throws {
        let clock = ManualWallClock(startMs: 1_800_000_000_000)
        let am = try Self.manager(clock)
        am.receive([
            PostableAlert(labels: Labels(["alertname": "Down", "instance": "a", "severity": "critical"])),
            PostableAlert(labels: Labels(["alertname": "Slow", "instance": "a", "severity": "warning"])),
            PostableAlert(labels: Labels(["alertname": "Noisy", "instance": "b"])),
        ])
        let id = try am.silences.set(Silence(matchers: [.init(name: "alertname", value: "Noisy", isRegex: false)],
                                             startsAt: clock.nowMs(), endsAt: clock.nowMs() + 3_600_000, createdBy: "t", comment: "c"),
                                     now: clock.nowMs())
        let byName = Dictionary(uniqueKeysWithValues: am.reports().map { ($0.alert.name, $0) })
        #expect(byName["Down"]?.state == "active")
        #expect(byName["Down"]?.receivers == ["a"])
        #expect(byName["Slow"]?.inhibitedBy == [AlertFingerprint(Labels(["alertname": "Down", "instance": "a", "severity": "critical"])).description])
        #expect(byName["Noisy"]?.silencedBy == [id])
        #expect(byName["Noisy"]?.state == "suppressed")
    }
}
