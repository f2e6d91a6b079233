import ConfigSupport
import MetricModel

/// A job's name schemes, from its own fields or the global ones.
public struct MetricNameSchemes: Sendable, Hashable {
    public var validation = NameValidationScheme.utf8
    public var escaping = NameEscapingScheme.allowUTF8

    public init(validation: NameValidationScheme = .utf8, escaping: NameEscapingScheme = .allowUTF8) {
        self.validation = validation
        self.escaping = escaping
    }

    /// Reads the two fields of `global` or a `scrape_config`; absent ones come from `inherited`
    /// (the escaping default follows the validation scheme: `underscores` for `legacy`).
    static func decode(from m: inout MappingReader, inherited: MetricNameSchemes?, at v: YAMLValue, _ ctx: DecodeContext) throws(ConfigError) -> MetricNameSchemes {
        var schemes = inherited ?? MetricNameSchemes()
        let validationText = try m.string("metric_name_validation_scheme", ctx)
        if let validationText, !validationText.isEmpty {
            guard let scheme = NameValidationScheme(rawValue: validationText) else {
                throw ctx.error(v, "unknown metric_name_validation_scheme \"\(validationText)\" (utf8 or legacy)")
            }
            schemes.validation = scheme
        }
        let escapingText = try m.string("metric_name_escaping_scheme", ctx)
        if let escapingText, !escapingText.isEmpty {
            guard let scheme = NameEscapingScheme(rawValue: escapingText) else {
                throw ctx.error(v, "unknown metric_name_escaping_scheme \"\(escapingText)\" (allow-utf-8, underscores, dots or values)")
            }
            schemes.escaping = scheme
        } else if validationText?.isEmpty == false {
            schemes.escaping = schemes.validation == .utf8 ? .allowUTF8 : .underscores
        }
        if schemes.validation == .legacy, schemes.escaping == .allowUTF8 {
            throw ctx.error(v, "metric_name_escaping_scheme cannot be allow-utf-8 while metric_name_validation_scheme is legacy")
        }
        return schemes
    }
}
