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
        #expect(report.passed > 0)
    }

    @Test func ownScriptsExist() {
        #expect(ScriptPaths.ownScripts.count >= 3)
    }
}

/// The shared Prometheus conformance files: every case runs and passes — native histograms
/// included, and those `load_with_nhcb` makes from classic ones — apart from any known
/// difference listed below (none today). A file that passes fewer cases than recorded here has started skipping
/// cases it used to run.
@Suite struct SharedConformanceTests {
    /// file → cases that pass. Raise these as the engine learns more.
    static let baseline: [String: Int] = [
        "aggregators.test": 160,
        "collision.test": 2,
        "functions.test": 431,
        "histograms.test": 185,
        "literals.test": 25,
        "name_label_dropping.test": 30,
        "operators.test": 214,
        "selectors.test": 31,
        "staleness.test": 17,
        "trig_functions.test": 19,
    ]

    /// file → lines of cases where Vigil knowingly answers otherwise, and why. A listed case that
    /// starts passing fails the test, so the list cannot go stale.
    static let knownDifferences: [String: [Int: String]] = [:]

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
        print("conformance \(name): \(report.summary)")
        let known = Self.knownDifferences[name] ?? [:]
        let unexpected = report.failures.filter { known[$0.line] == nil }
        #expect(unexpected.isEmpty, "\(name): \(unexpected.map { "\($0.line): \($0.message)" }.joined(separator: "\n"))")
        let nowPassing = Set(known.keys).subtracting(report.failures.map(\.line))
        #expect(nowPassing.isEmpty, "\(name): known differences that now pass, remove them: \(nowPassing.sorted())")
        #expect(report.passed >= minimum, "\(name): \(report.summary)")
    }
}
