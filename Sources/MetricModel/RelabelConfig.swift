/// One step of a relabeling pipeline (`relabel_configs`, `metric_relabel_configs`, ...).
public struct RelabelConfig: Sendable, Hashable {
    /// What a relabeling step does to the label set.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase
    }

    public var sourceLabels: [String]
    public var separator: String
    public var regex: AnchoredRegex
    public var modulus: UInt64
    public var targetLabel: String
    public var replacement: String
    public var action: Action

    /// Prometheus' defaults: separator `;`, regex `(.*)`, replacement `$1`, action replace.
    public static let defaultRegex: AnchoredRegex = {
        do { return try AnchoredRegex("(.*)") } catch { preconditionFailure("the default relabel regex is valid") }
    }()

    public init(
        sourceLabels: [String] = [], separator: String = ";", regex: AnchoredRegex = RelabelConfig.defaultRegex,
        modulus: UInt64 = 0, targetLabel: String = "", replacement: String = "$1", action: Action = .replace
    ) {
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.regex = regex
        self.modulus = modulus
        self.targetLabel = targetLabel
        self.replacement = replacement
        self.action = action
    }

    /// Checks the combinations Prometheus refuses; returns a message for the first problem.
    /// `nameValidation` is the job's `metric_name_validation_scheme`: under `legacy` a label the
    /// step writes must be a legacy label name, as in Prometheus 3.
    public func validationError(nameValidation: NameValidationScheme = .utf8) -> String? {
        switch action {
        case .replace, .lowercase, .uppercase, .hashmod, .keepequal, .dropequal:
            if targetLabel.isEmpty { return "relabel configuration for \(action.rawValue) action requires 'target_label' value" }
        default: break
        }
        switch action {
        case .lowercase, .uppercase, .keepequal, .dropequal:
            if targetLabel.contains("$") || !nameValidation.isValid(labelName: targetLabel) {
                return "'\(targetLabel)' is invalid 'target_label' for \(action.rawValue) action"
            }
        case .replace:
            if !targetLabel.contains("$"), !nameValidation.isValid(labelName: targetLabel) {
                return "'\(targetLabel)' is invalid 'target_label' for replace action"
            }
        case .hashmod:
            if !nameValidation.isValid(labelName: targetLabel) { return "'\(targetLabel)' is invalid 'target_label' for hashmod action" }
        case .labelmap:
            if !replacement.contains("$"), !nameValidation.isValid(labelName: replacement) {
                return "'\(replacement)' is invalid 'replacement' for labelmap action"
            }
        default: break
        }
        if action == .hashmod, modulus == 0 { return "relabel configuration for hashmod requires non-zero modulus" }
        if action == .labeldrop || action == .labelkeep {
            if !sourceLabels.isEmpty || !targetLabel.isEmpty || modulus != 0 || separator != ";" || replacement != "$1" {
                return "\(action.rawValue) action requires only 'regex', and no other fields"
            }
        }
        if action == .keepequal || action == .dropequal {
            if regex.pattern != "(.*)" || modulus != 0 || separator != ";" || replacement != "$1" {
                return "\(action.rawValue) action requires only 'source_labels' and `target_label`, and no other fields"
            }
        }
        return nil
    }
}
