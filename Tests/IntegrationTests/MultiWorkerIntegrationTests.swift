import Foundation
import Testing

/// A real gunicorn app with four workers and the official prometheus_client: without
/// `PROMETHEUS_MULTIPROC_DIR` each scrape reads one worker's counts, the counters saw back and
/// forth, and Vigil flags the target (its metric and the targets API); in multiprocess mode the
/// counts add up across workers and the target is not flagged.
@Suite(.serialized) struct MultiWorkerIntegrationTests {
    /// gunicorn with four workers serving `examples/model-api-workers`, on a free port.
    static func gunicorn(multiprocessDirectory: String?) async throws -> (ChildProcess, Int) {
        let port = freePort()
        var args = ["-m", "gunicorn", "--chdir", Paths.modelAPIWorkers, "--workers", "4", "--bind", "127.0.0.1:\(port)"]
        var environment = ["MODEL_API_RATE": "10"]
        if let multiprocessDirectory {
            args += ["-c", Paths.modelAPIWorkers + "/gunicorn.conf.py"]
            environment["PROMETHEUS_MULTIPROC_DIR"] = multiprocessDirectory
        }
        let p = try ChildProcess(name: "gunicorn", executable: "/usr/bin/env", arguments: ["python3"] + args + ["wsgi_app:app"], environment: environment)
        let up = await eventually(timeout: .seconds(20)) { await HTTP.get("http://127.0.0.1:\(port)/metrics")?.status == 200 }
        guard up else { throw PeerError("gunicorn did not start (python3 -m pip install gunicorn; scripts/install-test-deps.sh): \(p.log)") }
        return (p, port)
    }

    /// What Vigil says of the `api` target: its `vigil_target_counter_resets_suspicious` value, and
    /// the targets API's flag and count of scrapes with resets.
    static func flag(_ vigil: VigilInstance) async -> (metric: Double?, api: Bool?, scrapes: Int?) {
        let target = try? await vigil.activeTargets().first { ($0["scrapePool"] as? String) == "api" }
        let line = (await HTTP.get(vigil.base + "/metrics"))?.body.split(separator: "\n").first { $0.hasPrefix("vigil_target_counter_resets_suspicious{") && $0.contains("job=\"api\"") }
        return (line.flatMap { Double($0.split(separator: " ").last ?? "") }, target?["counterResetsSuspicious"] as? Bool, target?["counterResetScrapes"] as? Int)
    }

    /// Whether the targets page, in a real browser, carries the note (naming the fix) or not, as
    /// `showsNote` expects; the browser's complaint is recorded as the test's issue.
    static func targetsPage(_ vigil: VigilInstance, showsNote: Bool) async throws -> Bool {
        let shots = Paths.repoRoot.appendingPathComponent(".build/ui-screenshots").path
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        let run = try await runToolAsync("/usr/bin/env", [
            "python3", Paths.repoRoot.appendingPathComponent("Tests/BrowserTests/targets_note_test.py").path, "--base", vigil.base,
            "--expect-note", showsNote ? "yes" : "no", "--screenshot", shots + "/targets-counter-resets-\(showsNote).png",
        ])
        if run.status != 0 { Issue.record("targets page: \(run.output)") }
        return run.status == 0
    }

    @Test func fourWorkersWithoutMultiprocessModeAreFlaggedAndWithItAreNot() async throws {
        let (sawtooth, sawtoothPort) = try await Self.gunicorn(multiprocessDirectory: nil)
        defer { _ = sawtooth }
        let vigil = try await VigilInstance(config: ScrapeIntegrationTests.config([("api", sawtoothPort)]))
        let flagged = await eventually(timeout: .seconds(45)) {
            let f = await Self.flag(vigil)
            return f.metric == 1 && f.api == true
        }
        let seen = await Self.flag(vigil)
        #expect(flagged, "not flagged: \(seen)\n\(vigil.process.log.suffix(1000))")
        #expect((seen.scrapes ?? 0) >= 4)
        #expect(try await Self.targetsPage(vigil, showsNote: true))
        // The stored counters really do go back and forth (the total or a class's count, whichever
        // worker was ahead): what rate() would misread.
        vigil.process.signal(SIGTERM)
        #expect(await vigil.process.waitForExit() == 0)
        let counters = try vigil.dump(["job=api"]).filter { ["python_request_operations_total", "python_iris_predictions_total"].contains($0.name) }
        let bySeries = Dictionary(grouping: counters) { $0.labels.sorted { $0.key < $1.key }.description }.mapValues { $0.compactMap(\.number) }
        #expect(bySeries.values.contains { values in zip(values, values.dropFirst()).contains { $1 < $0 } }, "\(bySeries)")

        let directory = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (summed, summedPort) = try await Self.gunicorn(multiprocessDirectory: directory)
        defer { _ = summed }
        let clean = try await VigilInstance(config: ScrapeIntegrationTests.config([("api", summedPort)]))
        // Fifteen scrapes, each a different worker's answer, and the counts only grow.
        try await Task.sleep(for: .seconds(15))
        let calm = await Self.flag(clean)
        #expect(calm.metric == 0 && calm.api == false && calm.scrapes == 0, "\(calm)")
        #expect(try await Self.targetsPage(clean, showsNote: false))
        clean.process.signal(SIGTERM)
        #expect(await clean.process.waitForExit() == 0)
        let summedRequests = try clean.dump(["job=api"]).filter { $0.name == "python_request_operations_total" }.compactMap(\.number)
        #expect(summedRequests.count >= 10 && summedRequests == summedRequests.sorted(), "\(summedRequests)")
    }
}
