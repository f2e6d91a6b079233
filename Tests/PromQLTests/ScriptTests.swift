import Foundation
import Testing
@testable import PromQL

/// Paths of the project's own scripts and of the shared Prometheus conformance files.
enum ScriptPaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let ownScripts: [String] = {
        let dir = testsDirectory.appendingPathComponent("Scripts")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".test") }.sorted().map { dir.appendingPathComponent($0).path }
    }()
    static let sharedDirectory = testsDirectory.appendingPathComponent("../../../shared/promql-tests").standardized
}

@Suite struct OwnScriptTests {
    @Test(arguments: ScriptPaths.ownScripts)
    func scriptPassesCompletely(path: String) {
        let report = TestScriptRunner().run(file: path)
        for f in report.failures { Issue.record("\(URL(fileURLWithPath: path).lastPathComponent):\(f.line): \(f.message)") }
        #expect(report.skipped.isEmpty)
        #expect(report.passed > 0)
    }

    @Test func ownScriptsExist() {
        #expect(ScriptPaths.ownScripts.count >= 3)
    }
}

/// The shared Prometheus conformance files. Float cases must all pass eventually; until then this
/// ratchet fails whenever a file passes fewer cases, or fails more, than recorded here.
@Suite struct SharedConformanceTests {
    /// file → (minimum passed, maximum failed). Raise these as the engine improves.
    static let baseline: [String: (passed: Int, failed: Int)] = [
        "aggregators.test": (125, 1),
        "collision.test": (2, 0),
        "functions.test": (323, 0),
        "histograms.test": (64, 0),
        "literals.test": (25, 0),
        "name_label_dropping.test": (30, 0),
        "operators.test": (142, 0),
        "selectors.test": (31, 0),
        "staleness.test": (17, 0),
        "trig_functions.test": (19, 0),
    ]

    static var files: [String] {
        let dir = ScriptPaths.sharedDirectory.path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".test") }.sorted()
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: ScriptPaths.sharedDirectory.path)), arguments: files)
    func fileDoesNotRegress(name: String) {
        let report = TestScriptRunner().run(file: ScriptPaths.sharedDirectory.appendingPathComponent(name).path)
        guard let limit = Self.baseline[name] else {
            Issue.record("no baseline for \(name): \(report.summary)")
            return
        }
        #expect(report.passed >= limit.passed, "\(name): \(report.summary)")
        #expect(report.failures.count <= limit.failed, "\(name): \(report.failures.map { "\($0.line): \($0.message)" }.joined(separator: "\n"))")
    }
}
