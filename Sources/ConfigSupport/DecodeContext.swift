import MetricModel
/// A non-fatal remark about a configuration file: something accepted but not (yet) acted on.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }
}

/// State shared while decoding one file: its name and the warnings gathered.
package struct DecodeContext {
    package let file: String
    package var warnings: [ConfigWarning] = []
    /// Which metric and label names the document may use (rule files follow the configuration's
    /// `metric_name_validation_scheme`).
    package var nameValidation = NameValidationScheme.utf8

    package init(file: String) { self.file = file }

    package func error(_ v: YAMLValue, _ message: String) -> ConfigError {
        ConfigError(file: file, line: v.line, message: message)
    }

    package mutating func warn(_ v: YAMLValue, _ message: String) {
        warnings.append(ConfigWarning(file: file, line: v.line, message: message))
    }
}
