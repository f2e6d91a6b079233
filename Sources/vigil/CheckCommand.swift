import ArgumentParser
import ConfigSupport
import Config
import Alertmanager
import Foundation
import MetricModel
import Rules
import WebSecurity

/// `vigil check`: validate files the way `promtool check` does, with its exit codes (0 valid, 1 problems).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Check configuration and rule files.",
                                                    subcommands: [Config.self, RuleFiles.self, AlertmanagerFiles.self, WebConfigFiles.self])

    /// `vigil check config FILE...`: the main configuration and the rule files it names.
    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "config", abstract: "Check prometheus.yml files and the rule files they name.")

        @Argument(help: "Configuration files.")
        var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                print("Checking \(file)")
                do {
                    let config = try PrometheusConfig.load(file: file)
                    for w in config.warnings { print("  WARNING: \(w)") }
                    let ruleFiles = RuleFile.paths(matching: config.ruleFiles).map { ($0 as NSString).standardizingPath }
                    print("  SUCCESS: \(ruleFiles.count) rule files found")
                    print(" SUCCESS: \(file) is valid prometheus config file syntax")
                    print("")
                    if !RuleFiles.check(ruleFiles, nameValidation: config.global.nameSchemes.validation) { failed = true }
                } catch {
                    print("  FAILED: \(error)")
                    print("")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    /// `vigil check alertmanager FILE...`: alertmanager.yml files and the templates they load, like `amtool check-config`.
    struct AlertmanagerFiles: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "alertmanager", abstract: "Check alertmanager.yml files.")

        @Argument(help: "Alertmanager configuration files.")
        var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                print("Checking '\(file)'")
                do {
                    let c = try AlertmanagerConfiguration.load(file: file)
                    _ = try NotificationTemplates.load(globs: c.templateFiles, baseDirectory: FilePaths.directory(of: file), file: file)
                    for w in c.warnings { print("  WARNING: \(w)") }
                    print("  SUCCESS")
                    print("Found:")
                    print(" - global config")
                    print(" - route")
                    print(" - \(c.inhibitRules.count) inhibit rules")
                    print(" - \(c.receivers.count) receivers")
                    print(" - \(c.templateFiles.count) templates")
                } catch {
                    print("  FAILED: \(error)")
                    failed = true
                }
                print("")
            }
            if failed { throw ExitCode(1) }
        }
    }

    /// `vigil check web-config FILE...`: web configuration files, with their certificates and
    /// keys loaded, like `promtool check web-config`.
    struct WebConfigFiles: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "web-config", abstract: "Check web configuration files (TLS, basic auth).")

        @Argument(help: "Web configuration files.")
        var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                do {
                    _ = try WebConfigStore(file: file)
                    print("\(file) SUCCESS")
                } catch {
                    print("\(file) FAILED: \(error)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    /// `vigil check rules FILE...`.
    struct RuleFiles: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rules", abstract: "Check rule files.")

        @Argument(help: "Rule files.")
        var files: [String]

        @Flag(help: "Print each valid file as plain Prometheus rules, anomaly rules written out as the rules they compile to.")
        var expand = false

        @Option(name: .customLong("metric-name-validation-scheme"),
                help: "Names rules may use: utf8 (any UTF-8, as Prometheus 3) or legacy (letters, digits, _ and :, as Prometheus 2).")
        var nameValidation: String = NameValidationScheme.utf8.rawValue

        func validate() throws {
            guard NameValidationScheme(rawValue: nameValidation) != nil else {
                throw ValidationError("--metric-name-validation-scheme must be utf8 or legacy")
            }
        }

        var scheme: NameValidationScheme { NameValidationScheme(rawValue: nameValidation) ?? .utf8 }

        func run() throws {
            if expand {
                var ok = true
                for file in files {
                    do { print(try RuleFile.load(file, nameValidation: scheme).expandedYAML, terminator: "") } catch {
                        FileHandle.standardError.write(Data((error.description + "\n").utf8))
                        ok = false
                    }
                }
                if !ok { throw ExitCode(1) }
                return
            }
            if !Self.check(files, nameValidation: scheme) { throw ExitCode(1) }
        }

        /// Prints each file's verdict as promtool does; false when any file has problems.
        static func check(_ files: [String], nameValidation: NameValidationScheme) -> Bool {
            var ok = true
            for file in files {
                print("Checking \(file)")
                do {
                    let rules = try RuleFile.load(file, nameValidation: nameValidation)
                    print("  SUCCESS: \(rules.ruleCount) rules found")
                } catch {
                    print("  FAILED:")
                    for problem in error.problems { print(problem) }
                    ok = false
                }
                print("")
            }
            return ok
        }
    }
}
