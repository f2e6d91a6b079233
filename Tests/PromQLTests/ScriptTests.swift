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

/// The shared Prometheus conformance files: every case runs and passes, apart from the ones
/// that need native histograms (skipped, with the reason). A file that passes fewer cases than
/// recorded here has started skipping cases it used to run.
@Suite struct SharedConformanceTests {
    /// file → cases that pass. Raise these as the engine learns native histograms.
    static let baseline: [String: Int] = [
        "aggregators.test": 126,
        "collision.test": 2,
        "functions.test": 323,
        "histograms.test": 64,
        "literals.test": 25,
        "name_label_dropping.test": 30,
        "operators.test": 142,
        "selectors.test": 31,
        "staleness.test": 17,
        "trig_functions.test": 19,
    ]

    static var files: [String] {
        let dir = ScriptPaths.sharedDirectory.path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".test") }.sorted()
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: ScriptPaths.sharedDirectory.path)), arguments: files)
    func fileDoesNotRegress(name: String) {
        let report = TestScriptRunner().run(file: ScriptPaths.sharedDirectory.appendingPathComponent(name).path)
        guard let minimum = Self.baseline[name] else {
            Issue.record("no baseline for \(name): \(report.summary)")
            return
        }
        #expect(report.failures.isEmpty, "\(name): \(report.failures.map { "\($0.line): \($0.message)" }.joined(separator: "\n"))")
        #expect(report.passed >= minimum, "\(name): \(report.summary)")
    }
}
