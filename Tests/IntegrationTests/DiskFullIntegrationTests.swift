import Foundation
import Testing

/// The data disk fills up (a 24 MiB tmpfs in a namespace of its own) while Vigil scrapes and
/// receives remote write: ingestion is refused with a clear error, what is stored stays served,
/// ingestion resumes by itself when space returns, and after a kill and restart every sample
/// that was ever acknowledged is there once.
@Suite(.serialized) struct DiskFullIntegrationTests {
    static func acknowledgedCount(_ path: String) -> Int {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    static func instantValue(_ vigil: VigilInstance, _ query: String) async -> Double? {
        let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        guard let reply = try? await HTTP.request(vigil.base + "/api/v1/query?query=" + q),
              let data = (reply.json as? [String: Any])?["data"] as? [String: Any],
              let first = (data["result"] as? [[String: Any]])?.first,
              let value = first["value"] as? [Any], let text = value.last as? String else { return nil }
        return Double(text)
    }

    @Test func aFullDiskRefusesIngestionLosesNothingAndResumesWhenSpaceReturns() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let disk = try await MountNamespace.tmpfs(at: dir + "/data", megabytes: 24)
        let ballast = disk.hostPath(dir + "/data/ballast")
        let port = freePort()
        let config = """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: vigil
                static_configs: [{targets: ['127.0.0.1:\(port)']}]
            """
        let flags = ["--web.enable-remote-write-receiver", "--storage.tsdb.wal-segment-size=256KB", "--storage.tsdb.maintenance-interval=1s"]
        var vigil: VigilInstance? = try await VigilInstance(config: config, extraArgs: flags, dir: dir, port: port, namespace: disk)
        guard let running = vigil else { return }
        let acks = dir + "/acks.txt"
        let sender = try ChildProcess(name: "sender", executable: "/usr/bin/python3", arguments: [Paths.remoteWriteSender, "\(port)", acks, "600"])
        #expect(await eventually(timeout: .seconds(20)) { Self.acknowledgedCount(acks) >= 50 }, "\(sender.log)")
        #expect(try await eventually(timeout: .seconds(20)) { try await running.health(of: "vigil") == "up" })

        // Full: the self-scrape fails with the operating system's reason, WAL write failures are
        // counted, and the remote-write sender's requests stop being acknowledged (it retries).
        // dd stops when no byte is left.
        _ = try await runToolAsync("/usr/bin/dd", ["if=/dev/zero", "of=\(ballast)", "bs=64k"])
        let refused = try await eventually(timeout: .seconds(20)) {
            let target = try await running.activeTargets().first { ($0["scrapePool"] as? String) == "vigil" }
            return (target?["lastError"] as? String)?.contains("No space left on device") == true
        }
        #expect(refused, "\(running.process.log.suffix(2000))")
        #expect(await eventually(timeout: .seconds(10)) { (await running.metric("vigil_tsdb_wal_writes_failed_total") ?? 0) > 0 })
        try await Task.sleep(for: .seconds(1))
        let ackedWhileFull = Self.acknowledgedCount(acks)
        try await Task.sleep(for: .seconds(2))
        #expect(Self.acknowledgedCount(acks) == ackedWhileFull, "nothing is acknowledged while the disk is full")
        // What was stored before stays served.
        #expect((await Self.instantValue(running, #"count_over_time(crash_test{s="0"}[2h])"#) ?? 0) >= 50)
        #expect(running.process.isRunning)

        // Space returns: both kinds of ingestion resume without a restart.
        try FileManager.default.removeItem(atPath: ballast)
        #expect(try await eventually(timeout: .seconds(20)) { try await running.health(of: "vigil") == "up" }, "\(running.process.log.suffix(2000))")
        #expect(await eventually(timeout: .seconds(20)) { Self.acknowledgedCount(acks) >= ackedWhileFull + 50 })
        #expect(running.process.log.contains("No space left on device"), "the reason is logged")

        // Killed and restarted on the same disk: every acknowledged sample is there, once, and
        // the WAL written across the full period replays without damage.
        sender.signal(SIGKILL)
        _ = await sender.waitForExit()
        running.process.signal(SIGKILL)
        _ = await running.process.waitForExit()
        vigil = nil
        let restarted = try await VigilInstance(config: config, extraArgs: flags, dir: dir, port: port, namespace: disk)
        #expect(await restarted.metric("vigil_tsdb_wal_corruptions") == 0, "\(restarted.process.log.suffix(2000))")
        let writes = try await AcknowledgedWrites.check(ackFile: acks, storage: disk.hostPath(dir + "/data"))
        #expect(writes.acknowledged >= ackedWhileFull + 50)
        #expect(writes.duplicates == 0)
        #expect(writes.missing == 0, "\(writes.missing) of \(writes.acknowledged * AcknowledgedWrites.series) acknowledged samples missing: \(writes.dumpPrefix)")
    }
}
