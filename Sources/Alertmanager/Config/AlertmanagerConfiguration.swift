import ConfigSupport
import Foundation
import MetricModel

/// An `alertmanager.yml`: where alerts go (the route tree), who hears about them (receivers),
/// what quiets them (inhibit rules, time intervals) and the defaults they share (`global`).
public struct AlertmanagerConfiguration: Sendable {
    public var global = AlertmanagerGlobal()
    public var route: Route
    public var inhibitRules: [InhibitRule] = []
    public var receivers: [Receiver] = []
    /// Globs of template files with `define` blocks for notifications.
    public var templateFiles: [String] = []
    /// `time_intervals` and the older `mute_time_intervals`, by name.
    public var timeIntervals: [String: [TimeInterval]] = [:]
    /// The file rendered back to YAML with every secret shown as `<secret>`, as `/api/v2/status`
    /// shows it (Alertmanager does the same; the file's own text is never shown).
    public var renderedYAML: String = ""
    /// The file the configuration came from (relative template globs are resolved against it).
    public var file: String = ""
    /// Accepted but not acted on (integrations Vigil does not have, for instance).
    public var warnings: [ConfigWarning] = []

    public func receiver(named name: String) -> Receiver? { receivers.first { $0.name == name } }

    /// Used when no file is configured: every alert goes to a receiver without integrations,
    /// so alerts show in the API and UI but nobody is notified.
    public static let embeddedDefaultText = """
        # Vigil's built-in Alertmanager configuration: alerts are kept and shown, nobody is notified.
        route:
          receiver: default
          group_by: ['alertname']
        receivers:
          - name: default

        """

    public static func load(file: String) throws(ConfigError) -> AlertmanagerConfiguration {
        try parse(try ConfigError.readFile(file), file: file)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> AlertmanagerConfiguration {
        let root = try YAMLValue.parse(text, file: file)
        var ctx = DecodeContext(file: file)
        var c = try decode(root, &ctx)
        c.renderedYAML = root.rendered(maskingKeys: SecretFields.isAlertmanagerSecret)
        c.file = file
        c.warnings = ctx.warnings
        return c
    }
}
