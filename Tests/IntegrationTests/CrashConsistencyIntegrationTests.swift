import Foundation
import Testing

/// Vigil killed with SIGKILL at random moments while it ingests remote write, scrapes, evaluates
/// rules and cuts WAL segments and snapshots: after each restart every acknowledged sample is
/// there, none twice, and silences survive.
@Suite(.serialized) struct CrashConsistencyIntegrationTests {
    static func start(dir: String, port: Int) throws -> ChildProcess {
        try ChildProcess(name: "vigil", executable: Paths.vigil, arguments: [
            "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(port)",
            "--alertmanager.config.file=\(dir)/alertmanager.yml", "--web.enable-remote-write-receiver",
            // Small segments and frequent maintenance: segment cuts and snapshots happen between kills.
            "--storage.tsdb.wal-segment-size=64KB", "--storage.tsdb.maintenance-interval=300ms",
        ])
    }

    static func waitReady(_ port: Int) async -> Bool {
        await eventually(timeout: .seconds(30)) {
            (try? await Curl.request("http://127.0.0.1:\(port)/-/ready").status) == 200
        }
    }

    @Test func everyAcknowledgedSampleSurvivesTwentyKills() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = freePort()
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: [rules.yml]
            scrape_configs:
              - job_name: vigil
                static_configs: [{targets: ['127.0.0.1:\(port)']}]
            """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        try """
            groups:
              - name: crash
                interval: 1s
                rules:
                  - record: crash:ingested:sum
                    expr: sum(crash_test)
                  - alert: Ingesting
                    expr: count(crash_test) > 0
            """.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        try "route: {receiver: quiet}\nreceivers: [{name: quiet}]\n".write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)

        var vigil = try Self.start(dir: dir, port: port)
        #expect(await Self.waitReady(port), "\(vigil.log)")
        let silence = try await Curl.request("http://127.0.0.1:\(port)/api/v2/silences", [
            "-H", "Content-Type: application/json", "--data",
            #"{"matchers":[{"name":"alertname","value":"Ingesting","isRegex":false}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"crash-test","comment":"kept across kills"}"#,
        ])
        #expect(silence.status == 200, "\(silence.body)")

        let acks = dir + "/acks.txt"
        let sender = try ChildProcess(name: "sender", executable: "/usr/bin/python3", arguments: [Paths.remoteWriteSender, "\(port)", acks, "600"])
        var logs = ""
        for kill in 1...20 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1200)))
            vigil.signal(SIGKILL)
            _ = await vigil.waitForExit()
            logs += vigil.log
            vigil = try Self.start(dir: dir, port: port)
            let ready = await Self.waitReady(port)
            #expect(ready, "restart \(kill): \(vigil.log)")
            if !ready { return }
        }
        try await Task.sleep(for: .seconds(1))
        sender.signal(SIGKILL)
        _ = await sender.waitForExit()
        vigil.signal(SIGKILL)
        _ = await vigil.waitForExit()
        logs += vigil.log

        let acknowledged = (try String(contentsOfFile: acks, encoding: .utf8)).split(separator: "\n").compactMap { Int64($0) }
        #expect(acknowledged.count > 100, "the sender must have made progress: \(acknowledged.count) requests")
        let dump = try runTool(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(dir)/data", "--match", "__name__=crash_test"])
        let samples = dump.output.split(separator: "\n").compactMap(DumpedSample.init)
        var seen: [String: Set<Int64>] = [:]
        var duplicates = 0
        var values: [String: [Int64: Double]] = [:]
        for sample in samples {
            let series = sample.labels["s"] ?? ""
            if !seen[series, default: []].insert(sample.t).inserted { duplicates += 1 }
            values[series, default: [:]][sample.t] = sample.number
        }
        #expect(duplicates == 0)
        #expect(seen.count == 20)
        // Timestamps are base + i; base is the smallest stored one (request 0 was acknowledged).
        let base = samples.map(\.t).min() ?? 0
        var missing = 0
        for i in acknowledged {
            for series in 0..<20 where values["\(series)"]?[base + i] != Double(i) { missing += 1 }
        }
        #expect(missing == 0, "\(missing) of \(acknowledged.count * 20) acknowledged samples missing after 20 kills; stored \(samples.count): \(dump.output.prefix(300))")

        // Silences survive, and the storage came back after every kill.
        vigil = try Self.start(dir: dir, port: port)
        #expect(await Self.waitReady(port))
        let silences = try await Curl.request("http://127.0.0.1:\(port)/api/v2/silences")
        #expect(silences.body.contains("kept across kills"), "\(silences.body)")
        #expect(!logs.contains("cannot read saved"))
        // Segments were cut and snapshots written while it was being killed.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/data")
        #expect(files.contains { $0.hasPrefix("snapshot.") }, "\(files)")
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir + "/data/wal").compactMap { Int($0) }
        #expect((segments.max() ?? 0) >= 5, "\(segments)")
    }
}
