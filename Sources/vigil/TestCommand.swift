import ArgumentParser
import Foundation
import PromQL
import Rules

/// `vigil test`: run test files.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Run test files.", subcommands: [PromQLScripts.self, RuleTests.self])

    /// `vigil test promql FILE...`: PromQL test scripts (Prometheus' `.test` language).
    struct PromQLScripts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promql", abstract: "Run PromQL test scripts; prints each failure and a closing 'N passed, M failed' line.")

        @Argument(help: "Test script files.")
        var files: [String]

        func run() throws {
            var passed = 0, failed = 0
            let runner = TestScriptRunner()
            for file in files {
                let r = runner.run(file: file)
                for f in r.failures { print("\(file):\(f.line): FAIL \(f.message)") }
                print("\(file): \(r.summary)")
                passed += r.passed
                failed += r.failures.count
            }
            print("\(passed) passed, \(failed) failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }

    /// `vigil test rules FILE...`: rule unit tests in `promtool test rules`' format and verdicts.
    struct RuleTests: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rules", abstract: "Run rule unit tests (the format of promtool test rules).")

        @Argument(help: "Test files.")
        var files: [String]

        @Option(name: .customLong("run"), help: "Run only the test groups whose name matches this regular expression.")
        var runPattern: String?

        func run() throws {
            var filter: NSRegularExpression?
            if let runPattern {
                do { filter = try NSRegularExpression(pattern: runPattern) } catch {
                    throw ValidationError("--run: invalid regular expression \"\(runPattern)\"")
                }
            }
            var failed = false
            for file in files {
                print("Unit Testing:  \(file)")
                let problems: [String]
                do { problems = RuleUnitTestRunner().run(try RuleUnitTestFile.load(file), only: filter) } catch { problems = ["    \(error)"] }
                if problems.isEmpty {
                    print("  SUCCESS")
                } else {
                    failed = true
                    print("  FAILED:")
                    for p in problems { print(p) }
                }
                print("")
            }
            if failed { throw ExitCode(1) }
        }
    }
}
