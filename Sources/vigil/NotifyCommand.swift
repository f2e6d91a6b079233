import Alertmanager
import ArgumentParser
import ConfigSupport
import Foundation

/// `vigil notify test --receiver NAME`: sends a sample notification through every integration of
/// a receiver and says in plain words what went wrong (DNS, connection, TLS, authentication,
/// refused recipient, HTTP status).
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "notify", abstract: "Try notification receivers.",
                                                    subcommands: [Test.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "test", abstract: "Send a sample notification through a receiver.")

        @Option(name: .customLong("alertmanager.config.file"), help: "The alertmanager.yml to read receivers from.")
        var configFile = "configs/alertmanager.yml"

        @Option(name: .long, help: "The receiver to try.")
        var receiver: String

        @Option(name: .customLong("web.external-url"), help: "The URL links in the notification point to.")
        var externalURL = "http://localhost:9090"

        @Option(name: .long, help: "Seconds to wait for each integration.")
        var timeout = 30

        func run() async throws {
            let config: AlertmanagerConfiguration
            do { config = try AlertmanagerConfiguration.load(file: configFile) } catch {
                print("FAILED: \(error)")
                throw ExitCode(1)
            }
            guard let r = config.receiver(named: receiver) else {
                print("FAILED: no receiver named \"\(receiver)\" in \(configFile) (receivers: \(config.receivers.map(\.name).joined(separator: ", ")))")
                throw ExitCode(1)
            }
            let templates = try NotificationTemplates.load(globs: config.templateFiles, baseDirectory: FilePaths.directory(of: configFile),
                                                           file: configFile)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let notification = GroupNotification.sample(receiver: r.name, externalURL: externalURL, now: now)
            let integrations = r.integrations
            guard !integrations.isEmpty else {
                print("receiver \"\(r.name)\" has no integrations: nothing to send")
                return
            }
            var failed = false
            var counts: [String: Int] = [:]
            for integration in integrations {
                let index = counts[integration.kind, default: 0]
                counts[integration.kind] = index + 1
                let name = "\(integration.kind)[\(index)]"
                do {
                    try await integration.send(notification, templates: templates, deadlineMs: now + Int64(timeout) * 1000)
                    print("\(name): sent")
                } catch {
                    print("\(name): FAILED: \(error)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}

/// `vigil template render`: renders notification template text with sample data (or an
/// Alertmanager webhook payload from a file), like `amtool template render`.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "template", abstract: "Work with notification templates.",
                                                    subcommands: [Render.self])

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "render", abstract: "Render a template with sample data.")

        @Option(name: .customLong("template.glob"), help: "Template files to load (globs; repeatable).")
        var globs: [String] = []

        @Option(name: .customLong("template.text"), help: "The template text to render.")
        var text = #"{{ template "email.default.subject" . }}"#

        @Option(name: .customLong("web.external-url"), help: "The external URL the data carries.")
        var externalURL = "http://localhost:9090"

        func run() throws {
            let templates: NotificationTemplates
            do { templates = try NotificationTemplates.load(globs: globs, baseDirectory: FileManager.default.currentDirectoryPath, file: "<command line>") } catch {
                print("FAILED: \(error)")
                throw ExitCode(1)
            }
            let n = GroupNotification.sample(receiver: "default", externalURL: externalURL, now: Int64(Date().timeIntervalSince1970 * 1000))
            do { print(try templates.render(text, n)) } catch {
                print("FAILED: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
