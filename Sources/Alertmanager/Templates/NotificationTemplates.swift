import ConfigSupport
import Foundation
import GoTemplate
import MetricModel

/// The `define`d templates notifications can use (Vigil's defaults, then the configuration's
/// `templates` files, which may override them) and the data they are rendered with.
public struct NotificationTemplates: Sendable {
    let library: Template

    /// Loads the template files matching the globs (relative ones are taken from `baseDirectory`).
    public static func load(globs: [String], baseDirectory: String, file: String) throws(ConfigError) -> NotificationTemplates {
        var library: Template
        do { library = try Template(DefaultNotificationTemplates.source, name: "default.tmpl") } catch {
            throw ConfigError(file: "default.tmpl", line: 0, message: "\(error)")
        }
        for glob in globs {
            let pattern = glob.hasPrefix("/") ? glob : (baseDirectory as NSString).appendingPathComponent(glob)
            for path in FileGlob.expand(pattern).sorted() {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw ConfigError(file: file, line: 0, message: "cannot read template file \(path)")
                }
                do { library = library.adding(try Template(text, name: (path as NSString).lastPathComponent)) } catch {
                    throw ConfigError(file: path, line: 0, message: "\(error)")
                }
            }
        }
        return NotificationTemplates(library: library)
    }

    /// Only the defaults.
    public static let defaults: NotificationTemplates = {
        (try? load(globs: [], baseDirectory: "", file: "")) ?? NotificationTemplates(library: .empty)
    }()

    /// Renders template text (a field of an integration's config) against a notification.
    public func render(_ text: String, _ n: GroupNotification) throws(TemplateError) -> String {
        if !text.contains("{{") { return text }
        let t = try Template(text, name: "notification").adding(library)
        return try t.render(Self.data(n), functions: AlertmanagerTemplateFunctions.functions())
    }

    /// Alertmanager's template data: `.Receiver`, `.Status`, `.Alerts` (with `.Firing` and
    /// `.Resolved`), `.GroupLabels`, `.CommonLabels`, `.CommonAnnotations`, `.ExternalURL`.
    public static func data(_ n: GroupNotification) -> TemplateValue {
        .map([
            "Receiver": .string(n.receiver),
            "Status": .string(n.status),
            "Alerts": alertList(n.alerts),
            "GroupLabels": AlertmanagerTemplateFunctions.keyValues(n.groupLabels),
            "CommonLabels": AlertmanagerTemplateFunctions.keyValues(n.commonLabels),
            "CommonAnnotations": AlertmanagerTemplateFunctions.keyValues(n.commonAnnotations),
            "ExternalURL": .string(n.externalURL),
            "GroupKey": .string(n.groupKey),
            "TruncatedAlerts": .int(n.truncatedAlerts),
        ])
    }

    static func alertList(_ alerts: [NotificationAlert]) -> TemplateValue {
        let items = alerts.map(alert)
        return .object(TemplateObject(.list(items), methods: [
            "Firing": { _ in alertList(alerts.filter { $0.status == "firing" }) },
            "Resolved": { _ in alertList(alerts.filter { $0.status == "resolved" }) },
        ]))
    }

    static func alert(_ a: NotificationAlert) -> TemplateValue {
        .map([
            "Status": .string(a.status),
            "Labels": AlertmanagerTemplateFunctions.keyValues(a.labels),
            "Annotations": AlertmanagerTemplateFunctions.keyValues(a.annotations),
            "StartsAt": time(a.startsAt),
            "EndsAt": a.endsAt.map(time) ?? .string("0001-01-01 00:00:00 +0000 UTC"),
            "GeneratorURL": .string(a.generatorURL),
            "Fingerprint": .string(a.fingerprint.description),
        ])
    }

    /// A time as Go prints a `time.Time`, with `.Unix` and `.UnixMilli`.
    static func time(_ ms: Int64) -> TemplateValue {
        .object(TemplateObject(.string(GoTime.text(ms)), methods: [
            "Unix": { _ in .int(Int(ms.floorDivided(by: 1000))) },
            "UnixMilli": { _ in .int(Int(ms)) },
        ]))
    }
}
