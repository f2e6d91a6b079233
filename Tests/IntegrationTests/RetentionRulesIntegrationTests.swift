import Foundation
import Testing

/// `--storage.tsdb.retention.rules` on blocks Prometheus' own code wrote: the Python runtime's
/// garbage-collector series lose everything older than their rule allows, the model's series keep
/// their whole history, and promtool reads the rewritten blocks.
@Suite struct RetentionRulesIntegrationTests {
    static let promtool = "/usr/bin/promtool"

    @Test func aSelectorsSeriesKeepOnlyTheirOwnRetention() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool), "promtool is not installed: run scripts/install-test-deps.sh")
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A day and a half of both, one sample a minute, ending an hour ago.
        let end = (Int64(Date().timeIntervalSince1970) - 3600) / 60 * 60
        let start = end - 36 * 3600
        var text = "# TYPE python_gc_objects_collected counter\n# TYPE model_predictions counter\n"
        for name in ["python_gc_objects_collected_total", "model_predictions_total"] {
            for t in stride(from: start, through: end, by: 60) { text += "\(name){generation=\"0\"} \(t - start) \(t)\n" }
        }
        text += "# EOF\n"
        try text.write(toFile: dir + "/history.om", atomically: true, encoding: .utf8)
        let created = try await runToolAsync(Self.promtool, ["tsdb", "create-blocks-from", "openmetrics", dir + "/history.om", dir + "/data"])
        try #require(created.status == 0, "\(created.output)")

        let bad = try await runToolAsync(Paths.vigil, ["--storage.tsdb.retention.rules", "{__name__=~\"python_gc_.*\"}", "--storage.tsdb.path", dir + "/none"])
        #expect(bad.status != 0 && bad.output.contains("expected a selector and a duration"), "\(bad.output)")

        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: [
            "--storage.tsdb.retention.rules", "{__name__=~\"python_gc_.*\"} 12h", "--storage.tsdb.maintenance-interval=200ms",
        ], dir: dir)
        // The cut-off is 12 h before the newest sample, rounded down to a 2 h block boundary.
        let keptFrom = (end - 12 * 3600) / 7200 * 7200
        let expectedGC = Double((end - keptFrom) / 60 + 1)
        let total = Double((end - start) / 60 + 1)
        let at = "&time=\(end)"
        var gc: Double?
        let applied = await eventually(timeout: .seconds(30)) {
            gc = try? await Self.value(vigil, "count_over_time(python_gc_objects_collected_total[3d])" + at)
            return gc == expectedGC
        }
        #expect(applied, "python_gc samples: \(String(describing: gc)), expected \(expectedGC) (of \(total))\n\(vigil.process.log.suffix(1500))")
        #expect(try await Self.value(vigil, "count_over_time(model_predictions_total[3d])" + at) == total)
        #expect(vigil.process.log.contains("retention rule applied"))

        // The blocks were rewritten without the deleted samples; promtool reads the same.
        let dump = try await runToolAsync(Self.promtool, ["tsdb", "dump", dir + "/data"])
        #expect(dump.status == 0, "\(dump.output.suffix(500))")
        let lines = dump.output.split(separator: "\n")
        #expect(Double(lines.filter { $0.contains("python_gc_objects_collected_total") }.count) == expectedGC)
        #expect(Double(lines.filter { $0.contains("model_predictions_total") }.count) == total)
        let tombstoned = try FileManager.default.contentsOfDirectory(atPath: dir + "/data").filter { $0.count == 26 }.filter { ulid in
            ((try? FileManager.default.attributesOfItem(atPath: dir + "/data/" + ulid + "/tombstones")[.size] as? Int) ?? 0) > 9
        }
        #expect(tombstoned.isEmpty, "blocks still carrying tombstones: \(tombstoned)")
    }

    /// The single value of an instant query (`query` already URL-safe but for the selector).
    static func value(_ vigil: VigilInstance, _ query: String) async throws -> Double? {
        let parts = query.split(separator: "&", maxSplits: 1)
        let url = vigil.base + "/api/v1/query?query=" + String(parts[0]).urlQueryEncoded + (parts.count > 1 ? "&" + parts[1] : "")
        let reply = try await HTTP.request(url)
        let result = ((reply.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [[String: Any]]
        return ((result?.first?["value"] as? [Any])?.last as? String).flatMap(Double.init)
    }
}
