import Alertmanager
import Logging
import MetricModel
import Synchronization
import Testing

/// The dispatcher on a manual clock: alerts are grouped by `group_by`, each group is flushed
/// after `group_wait` and then every `group_interval`, whatever else the machine is doing.
@Suite struct DispatcherTests {
    final class Recorder: Sendable {
        let flushes = Mutex<[GroupFlush]>([])
        func record(_ f: GroupFlush) { flushes.withLock { $0.append(f) } }
        var all: [GroupFlush] { flushes.withLock { $0 } }
    }

    @Test func groupsAlertsAndFlushesOnTheirTimers() async throws {
        let route = try AlertmanagerConfiguration.parse("""
            route: {receiver: a, group_by: [alertname], group_wait: 200ms, group_interval: 400ms}
            receivers: [{name: a}]
            """, file: "am.yml").route
        let clock = ManualWallClock(startMs: 1_800_000_000_000)
        let recorder = Recorder()
        let dispatcher = Dispatcher(route: route, clock: clock, logger: Logger(label: "test")) { f in
            recorder.record(f)
            return true
        }
        let task = Task { await dispatcher.run() }
        defer { task.cancel() }
        let now = clock.nowMs()
        func alert(_ name: String, _ instance: String) -> ManagedAlert {
            ManagedAlert(labels: Labels(["alertname": name, "instance": instance]), startsAt: now, endsAt: now + 60_000, updatedAt: now)
        }
        dispatcher.process([alert("Down", "a"), alert("Down", "b"), alert("Slow", "a")])
        // Simulated time moves in 50 ms steps (each given real time to run) until each group was
        // flushed twice; then the times the dispatcher flushed at are checked.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, clock.nowMs() < now + 5_000 {
            let perGroup = Dictionary(grouping: recorder.all, by: \.key)
            if perGroup.count == 2, perGroup.values.allSatisfy({ $0.count >= 2 }) { break }
            try await Task.sleep(for: .milliseconds(10))
            clock.advance(by: 50)
        }
        let perGroup = Dictionary(grouping: recorder.all, by: \.key)
        #expect(Set(perGroup.keys) == [#"{}:{alertname="Down"}"#, #"{}:{alertname="Slow"}"#], "one group per alertname")
        #expect(perGroup[#"{}:{alertname="Down"}"#]?.first?.alerts.count == 2)
        for (key, flushes) in perGroup {
            #expect(flushes.count >= 2, "\(key) flushed again")
            guard flushes.count >= 2 else { continue }
            #expect(flushes[0].now >= now + 200, "\(key): first flush after group_wait")
            #expect(flushes[1].now - flushes[0].now >= 400, "\(key): next flush a group_interval later")
        }
        #expect(dispatcher.receivers(for: Labels(["alertname": "X"])) == ["a"])
    }
}
