import Foundation
import Testing

/// `vigil tsdb list` and `vigil tsdb analyze` on blocks Prometheus' own code wrote give the
/// figures `promtool tsdb list` and `promtool tsdb analyze` give.
@Suite struct TSDBCommandIntegrationTests {
    static let promtool = "/usr/bin/promtool"

    @Test func listAndAnalyzeAgreeWithPromtool() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool), "promtool is not installed: run scripts/install-test-deps.sh")
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Three hours (two blocks) of two pods; a third pod only in the last 40 minutes (churn).
        let start: Int64 = 1_700_000_000 / 7200 * 7200
        var text = "# TYPE model_predictions counter\n"
        for pod in ["a", "b", "c"] {
            for step in 0..<(3 * 60) where pod != "c" || step >= 140 {
                text += "model_predictions_total{pod=\"\(pod)\",model=\"churn\"} \(step) \(start + Int64(step) * 60)\n"
            }
        }
        text += "# EOF\n"
        try text.write(toFile: dir + "/h.om", atomically: true, encoding: .utf8)
        let data = dir + "/data"
        let created = try await runToolAsync(Self.promtool, ["tsdb", "create-blocks-from", "openmetrics", dir + "/h.om", data])
        try #require(created.status == 0, "\(created.output)")

        let ours = try await runToolAsync(Paths.vigil, ["tsdb", "list", "--storage.tsdb.path", data])
        let theirs = try await runToolAsync(Self.promtool, ["tsdb", "list", data])
        #expect(ours.status == 0 && theirs.status == 0, "\(ours.output)\n\(theirs.output)")
        // ULID, min time, max time, samples, chunks, series per block; the duration is printed differently.
        func rows(_ output: String) -> [[String]] {
            output.split(separator: "\n").dropFirst().map { line in
                let cells = line.split(separator: " ").map(String.init)
                return cells.count >= 8 ? [cells[0], cells[1], cells[2]] + cells.suffix(4).dropLast() : cells
            }.sorted { $0.first ?? "" < $1.first ?? "" }
        }
        #expect(rows(ours.output).count == 2)
        #expect(rows(ours.output) == rows(theirs.output), "vigil:\n\(ours.output)\npromtool:\n\(theirs.output)")

        for block in rows(ours.output).compactMap(\.first) {
            let a = try await runToolAsync(Paths.vigil, ["tsdb", "analyze", "--storage.tsdb.path", data, block])
            let b = try await runToolAsync(Self.promtool, ["tsdb", "analyze", data, block])
            for figure in ["Series", "Label names", "Postings (unique label pairs)", "Postings entries (total label pairs)"] {
                #expect(Self.figure(figure, a.output) != nil && Self.figure(figure, a.output) == Self.figure(figure, b.output),
                        "\(figure)\nvigil:\n\(a.output)\npromtool:\n\(b.output)")
            }
        }
        // The newest block holds the pod that appeared late: its series churns.
        let newest = try await runToolAsync(Paths.vigil, ["tsdb", "analyze", "--storage.tsdb.path", data])
        #expect(newest.output.contains("Churning series (start or stop inside the range): 1"), "\(newest.output)")
        #expect(newest.output.contains("1 pod=\"c\""), "\(newest.output)")
        let missing = try await runToolAsync(Paths.vigil, ["tsdb", "analyze", "--storage.tsdb.path", data, "01ARZ3NDEKTSV4RRFFQ69G5FAV"])
        #expect(missing.status != 0 && missing.output.contains("no block"), "\(missing.output)")
    }

    /// The number after `name:` on its own line.
    static func figure(_ name: String, _ output: String) -> Int? {
        output.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            .flatMap { Int($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)) }
    }
}
