import Foundation
import Testing

/// Targets that hang, reset the connection, send an endless body or a gzip bomb: each scrape
/// fails with a clear error, Vigil stays up with bounded memory and keeps scraping the healthy
/// target, and the broken targets come back up without a restart once they heal.
@Suite(.serialized) struct ScrapeFaultsIntegrationTests {
    static func residentBytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kb * 1024
    }

    @Test func misbehavingTargetsFailCleanlyAndRecover() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = freePort()
        let healed = dir + "/healed"
        let target = try ChildProcess(name: "faulty", executable: "/usr/bin/python3", arguments: [Paths.faultyTarget, "\(port)", healed])
        #expect(await eventually(timeout: .seconds(60)) { target.log.contains("listening") }, "\(target.log)")
        let jobs = ["hang", "reset", "endless", "bomb", "ok"].map { path in
            """
              - job_name: \(path)
                metrics_path: /\(path)
                scrape_interval: 2s
                scrape_timeout: 1500ms
                static_configs: [{targets: ['127.0.0.1:\(port)']}]

            """
        }.joined()
        let vigil = try await VigilInstance(config: "scrape_configs:\n" + jobs)
        var peak = 0
        let failedAll = try await eventually(timeout: .seconds(30)) {
            peak = max(peak, Self.residentBytes(vigil.process.process.processIdentifier))
            let targets = try await vigil.activeTargets()
            let down = targets.filter { ($0["health"] as? String) == "down" }.compactMap { $0["scrapePool"] as? String }
            let okHealth = try await vigil.health(of: "ok")
            // A reset fails at once, not at the deadline; one scrape of it can still time out when
            // the Python target's threads are starved (the endless and bomb handlers hold its
            // interpreter lock), so wait for a scrape that reached it.
            let resetError = targets.first { ($0["scrapePool"] as? String) == "reset" }?["lastError"] as? String
            return Set(down) == ["hang", "reset", "endless", "bomb"] && okHealth == "up" && resetError?.contains("deadline") == false
        }
        let targets = try await vigil.activeTargets()
        #expect(failedAll, "\(targets)")
        let errors = Dictionary(uniqueKeysWithValues: targets.compactMap { t -> (String, String)? in
            guard let pool = t["scrapePool"] as? String, let error = t["lastError"] as? String else { return nil }
            return (pool, error)
        })
        #expect(errors["hang"]?.contains("deadline") == true, "\(errors)")
        #expect(errors["bomb"]?.contains("limit") == true || errors["bomb"]?.contains("deadline") == true, "\(errors)")
        #expect(errors["endless"]?.isEmpty == false, "\(errors)")
        #expect(errors["reset"]?.isEmpty == false && errors["reset"]?.contains("deadline") == false, "a reset fails at once: \(errors)")
        for _ in 0..<5 {
            try await Task.sleep(for: .seconds(1))
            peak = max(peak, Self.residentBytes(vigil.process.process.processIdentifier))
        }
        #expect(peak < 1_500 << 20, "resident memory peaked at \(peak >> 20) MiB")
        #expect(vigil.process.isRunning)
        let own = try await HTTP.request(vigil.base + "/metrics")
        #expect(own.status == 200)

        // Healed targets come back without a restart.
        _ = FileManager.default.createFile(atPath: healed, contents: Data())
        let recovered = try await eventually(timeout: .seconds(30)) {
            try await vigil.activeTargets().allSatisfy { ($0["health"] as? String) == "up" }
        }
        let finalTargets = try await vigil.activeTargets()
        #expect(recovered, "\(finalTargets)")
    }
}
