import Foundation
import Testing

/// Vigil killed with SIGKILL at random moments while it ingests remote write, scrapes, evaluates
/// rules and cuts WAL segments and snapshots: after each restart every acknowledged sample is
/// there, none twice, silences and the notification log survive, and the firing alert is notified.
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

    /// The encodings of the chunk records in every head chunk file: after the 8-byte file header,
    /// each record is series reference, min and max time (8 bytes each), encoding (1), the data's
    /// length (uvarint), the data and a 4-byte CRC.
    static func headChunkEncodings(_ directory: String) throws -> Set<UInt8> {
        var encodings = Set<UInt8>()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where Int(name) != nil {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
            var offset = 8
            while offset + 26 <= bytes.count {
                encodings.insert(bytes[offset + 24])
                var length = 0, shift = 0, p = offset + 25
                while p < bytes.count, shift < 35 {
                    length |= Int(bytes[p] & 0x7F) << shift
                    shift += 7
                    p += 1
                    if bytes[p - 1] & 0x80 == 0 { break }
                }
                guard length > 0 else { break }
                offset = p + length + 4
            }
        }
        return encodings
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
        let recording = """
            groups:
              - name: crash
                interval: 1s
                rules:
                  - record: crash:ingested:sum
                    expr: sum(crash_test)

            """
        // The alerts come once the silence is in place (below), so none can be notified before it.
        // Both always fire (the remote-written samples are an hour old, beyond any lookback).
        let alerting = recording + """
                  - alert: Ingesting
                    expr: vector(1)
                  - alert: Acknowledged
                    expr: vector(1)
            """
        try recording.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        let hook = try await WebhookReceiver(dir: dir)
        try """
            route: {receiver: hook, group_by: [alertname], group_wait: 1s, group_interval: 2s, repeat_interval: 1h}
            receivers: [{name: hook, webhook_configs: [{url: '\(hook.url)'}]}]
            """.write(toFile: dir + "/alertmanager.yml", atomically: true, encoding: .utf8)
        @Sendable func notifications(_ alertname: String) -> Int {
            hook.payloads.filter { ($0["groupLabels"] as? [String: String])?["alertname"] == alertname && ($0["status"] as? String) == "firing" }.count
        }

        var vigil = try Self.start(dir: dir, port: port)
        #expect(await Self.waitReady(port), "\(vigil.log)")
        let silence = try await Curl.request("http://127.0.0.1:\(port)/api/v2/silences", [
            "-H", "Content-Type: application/json", "--data",
            #"{"matchers":[{"name":"alertname","value":"Ingesting","isRegex":false}],"startsAt":"2026-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"crash-test","comment":"kept across kills"}"#,
        ])
        #expect(silence.status == 200, "\(silence.body)")
        try alerting.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        vigil.signal(SIGHUP)

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

        let writes = try await AcknowledgedWrites.check(ackFile: acks, storage: dir + "/data")
        #expect(writes.acknowledged > 100, "the sender must have made progress: \(writes.acknowledged) requests")
        #expect(writes.duplicates == 0)
        #expect(writes.seriesStored == AcknowledgedWrites.series)
        #expect(writes.missing == 0, "\(writes.missing) of \(writes.acknowledged * AcknowledgedWrites.series) acknowledged samples missing after 20 kills; stored \(writes.stored): \(writes.dumpPrefix)")
        #expect(writes.histogramsMissing == 0, "\(writes.histogramsMissing) of \(writes.acknowledged) acknowledged histograms missing; stored \(writes.histogramsStored)")
        #expect(writes.histogramDuplicates == 0)
        // Closed histogram chunks were written to the head chunk files (and read back from there).
        #expect(try Self.headChunkEncodings(dir + "/data/vigil-chunks_head").contains(2))

        // Silences survive, and the storage came back after every kill.
        vigil = try Self.start(dir: dir, port: port)
        #expect(await Self.waitReady(port))
        let silences = try await Curl.request("http://127.0.0.1:\(port)/api/v2/silences")
        #expect(silences.body.contains("kept across kills"), "\(silences.body)")
        #expect(!logs.contains("cannot read saved"))
        // The alert that fired through all of it is notified; the silenced one never was.
        #expect(await eventually(timeout: .seconds(30)) { notifications("Acknowledged") >= 1 }, "\(vigil.log.suffix(2000))")
        #expect(notifications("Ingesting") == 0, "the silence held across every restart")
        // Once logged, a notification is not sent again after a kill (repeat_interval is 1h):
        // the notification log survived.
        try await Task.sleep(for: .seconds(2))
        let delivered = notifications("Acknowledged")
        vigil.signal(SIGKILL)
        _ = await vigil.waitForExit()
        vigil = try Self.start(dir: dir, port: port)
        #expect(await Self.waitReady(port))
        try await Task.sleep(for: .seconds(6))
        #expect(notifications("Acknowledged") == delivered, "\(hook.payloads.count) payloads")
        // Segments were cut and snapshots written while it was being killed.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/data")
        #expect(files.contains { $0.hasPrefix("snapshot.") }, "\(files)")
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir + "/data/vigil-wal").compactMap { Int($0) }
        #expect((segments.max() ?? 0) >= 5, "\(segments)")
    }
}
