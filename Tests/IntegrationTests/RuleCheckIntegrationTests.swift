import Foundation
import Testing

/// `vigil check rules` and `vigil check config` give the same verdicts and exit codes as the real
/// `promtool check` (Debian's prometheus package) on the same files.
@Suite struct RuleCheckIntegrationTests {
    static let repository = Paths.repoRoot.path

    static func run(_ executable: String, _ args: [String]) throws -> (status: Int32, output: String) { try runTool(executable, args) }

    /// Files both tools must accept (true) or refuse (false).
    static let fixtures: [(String, String, Bool)] = [
        ("valid.yml", "groups:\n  - name: a\n    interval: 30s\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n      - alert: Down\n        expr: up == 0\n        for: 5m\n        labels:\n          severity: page\n        annotations:\n          summary: \"{{ $labels.instance }} is down\"\n", true),
        ("zero-interval.yml", "groups:\n  - name: a\n    interval: 0s\n    rules: []\n", true),
        ("repeated.yml", "groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n", false),
        ("both.yml", "groups:\n  - name: a\n    rules:\n      - record: x\n        alert: y\n        expr: up\n", false),
        ("no-expr.yml", "groups:\n  - name: a\n    rules:\n      - alert: A\n", false),
        ("parse-error.yml", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: sum(rate(x[5m])\n", false),
        ("bad-record-name.yml", "groups:\n  - name: a\n    rules:\n      - record: 'a b'\n        expr: up\n", false),
        ("record-with-for.yml", "groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        for: 1m\n", false),
        ("bad-label.yml", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels:\n          'bad-name': x\n", false),
        ("unknown-field.yml", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        unknown: 1\n", false),
        ("not-yaml.yml", "groups: [\n", false),
        ("bad-template.yml", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n          summary: \"{{ $labels.x \"\n", false),
    ]

    @Test func checkRulesAgreesWithPromtool() throws {
        #expect(FileManager.default.fileExists(atPath: "/usr/bin/promtool"), "Debian's prometheus package provides promtool: run scripts/install-test-deps.sh")
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var files = [Self.repository + "/rules/alert.rules.yml"]
        var expected = [true]
        for (name, text, valid) in Self.fixtures {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
            files.append(dir + "/" + name)
            expected.append(valid)
        }
        for (file, valid) in zip(files, expected) {
            let theirs = try Self.run("/usr/bin/promtool", ["check", "rules", file])
            // Debian's promtool is 2.42: legacy names, which Vigil checks when asked to.
            let ours = try Self.run(Paths.vigil, ["check", "rules", "--metric-name-validation-scheme=legacy", file])
            #expect(theirs.status == (valid ? 0 : 1), "promtool on \(file):\n\(theirs.output)")
            #expect(ours.status == theirs.status, "\(file)\nVigil:\n\(ours.output)\npromtool:\n\(theirs.output)")
            if valid {
                #expect(ours.output.contains("SUCCESS"), "\(ours.output)")
            } else {
                #expect(ours.output.contains("FAILED"), "\(ours.output)")
            }
        }
    }

    @Test func utf8RecordNamesPassByDefaultAsInPrometheus3() throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/utf8.yml"
        try "groups:\n  - name: a\n    rules:\n      - record: 'model.requests:rate5m'\n        expr: up\n".write(toFile: file, atomically: true, encoding: .utf8)
        let ours = try Self.run(Paths.vigil, ["check", "rules", file])
        #expect(ours.status == 0, "\(ours.output)")
        let legacy = try Self.run(Paths.vigil, ["check", "rules", "--metric-name-validation-scheme=legacy", file])
        #expect(legacy.status == 1, "\(legacy.output)")
        let promtool = try Self.run("/usr/bin/promtool", ["check", "rules", file])
        #expect(promtool.status == 1, "Prometheus 2.42 refuses it, as legacy does: \(promtool.output)")
    }

    @Test func checkConfigFollowsRuleFilesAsPromtoolDoes() throws {
        let config = Self.repository + "/configs/prometheus.yml"
        let theirs = try Self.run("/usr/bin/promtool", ["check", "config", "--syntax-only", config])
        let ours = try Self.run(Paths.vigil, ["check", "config", config])
        #expect(theirs.status == 0, "\(theirs.output)")
        #expect(ours.status == 0, "\(ours.output)")
        #expect(ours.output.contains("rules/alert.rules.yml"), "\(ours.output)")
        #expect(ours.output.contains("SUCCESS: 11 rules found"), "\(ours.output)")

        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "rule_files: ['broken.yml']\nscrape_configs: []\n".write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        try "groups:\n  - name: a\n    rules:\n      - alert: A\n".write(toFile: dir + "/broken.yml", atomically: true, encoding: .utf8)
        let broken = try Self.run(Paths.vigil, ["check", "config", dir + "/prometheus.yml"])
        let brokenTheirs = try Self.run("/usr/bin/promtool", ["check", "config", dir + "/prometheus.yml"])
        #expect(broken.status == 1, "\(broken.output)")
        #expect(brokenTheirs.status == 1, "\(brokenTheirs.output)")
        #expect(broken.output.contains("broken.yml:4: field 'expr' must be set in rule"), "\(broken.output)")
    }

    /// The shipped rule file's unit tests pass with Vigil and with the real promtool.
    @Test func shippedRuleTestsPassWithBothTools() throws {
        let tests = Self.repository + "/rules/alert.rules.test.yml"
        let ours = try Self.run(Paths.vigil, ["test", "rules", tests])
        let theirs = try Self.run("/usr/bin/promtool", ["test", "rules", tests])
        #expect(ours.status == 0, "\(ours.output)")
        #expect(theirs.status == 0, "\(theirs.output)")
    }

    /// Anomaly rules expand into plain rules that the real promtool accepts.
    @Test func anomalyRulesExpandToRulesPromtoolAccepts() throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let expanded = try Self.run(Paths.vigil, ["check", "rules", "--expand", Self.repository + "/rules/model-api.anomaly.rules.yml"])
        #expect(expanded.status == 0, "\(expanded.output)")
        #expect(expanded.output.contains("record: anomaly:PredictionRateAnomaly:stddev"))
        try expanded.output.write(toFile: dir + "/expanded.yml", atomically: true, encoding: .utf8)
        let theirs = try Self.run("/usr/bin/promtool", ["check", "rules", dir + "/expanded.yml"])
        #expect(theirs.status == 0, "\(theirs.output)\n\(expanded.output)")
        #expect(theirs.output.contains("4 rules found"))
    }

    /// The anomaly rule file's unit tests pass with Vigil; and the plain rules it expands to agree
    /// with the real promtool on when the alert fires. (Annotations are left out of that
    /// comparison: the z-score they print differs because Debian's promtool 2.42 still selects
    /// left-closed ranges, one sample more per window than Prometheus 3 and Vigil.)
    @Test func anomalyRuleTestsPassAndTheExpandedRulesFireAtTheSameTimesInPromtool() throws {
        let tests = Self.repository + "/rules/model-api.anomaly.rules.test.yml"
        let ours = try Self.run(Paths.vigil, ["test", "rules", tests])
        #expect(ours.status == 0, "\(ours.output)")

        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let expanded = try Self.run(Paths.vigil, ["check", "rules", "--expand", Self.repository + "/rules/model-api.anomaly.rules.yml"])
        try Self.removingBlocks(named: "annotations:", from: expanded.output)
            .write(toFile: dir + "/model-api.anomaly.rules.yml", atomically: true, encoding: .utf8)
        try Self.removingBlocks(named: "exp_annotations:", from: try String(contentsOfFile: tests, encoding: .utf8))
            .write(toFile: dir + "/anomaly.test.yml", atomically: true, encoding: .utf8)
        let theirs = try Self.run("/usr/bin/promtool", ["test", "rules", dir + "/anomaly.test.yml"])
        let oursPlain = try Self.run(Paths.vigil, ["test", "rules", dir + "/anomaly.test.yml"])
        #expect(theirs.status == 0, "\(theirs.output)")
        #expect(oursPlain.status == 0, "\(oursPlain.output)")
    }

    /// YAML text without the blocks under keys with this name (the key line and everything indented deeper).
    static func removingBlocks(named key: String, from text: String) -> String {
        var out: [Substring] = []
        var skipIndent: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = line.prefix { $0 == " " }.count
            if let s = skipIndent {
                if line.trimmingCharacters(in: .whitespaces).isEmpty || indent > s { continue }
                skipIndent = nil
            }
            if line.trimmingCharacters(in: .whitespaces) == key { skipIndent = indent; continue }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }
}
