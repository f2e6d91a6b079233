import ConfigSupport
import MetricModel

extension RelabelConfig {
    /// Decodes one relabeling step and validates it as Prometheus does, label names by the job's
    /// `metric_name_validation_scheme`.
    static func decode(_ v: YAMLValue, _ ctx: inout DecodeContext, nameValidation: NameValidationScheme = .utf8) throws(ConfigError) -> RelabelConfig {
        var m = try MappingReader(v, what: "relabel_config", ctx)
        var c = RelabelConfig()
        c.sourceLabels = try m.stringList("source_labels", ctx) ?? []
        c.separator = try m.string("separator", ctx) ?? ";"
        if let rv = m.take("regex") {
            let pattern = try rv.asString("regex", ctx)
            do { c.regex = try AnchoredRegex(pattern) } catch {
                throw ctx.error(rv, "\(error)")
            }
        }
        if let mv = m.take("modulus") {
            guard case .scalar(let s, _) = mv.kind, let n = UInt64(s) else { throw ctx.error(mv, "field modulus: expected an unsigned integer") }
            c.modulus = n
        }
        c.targetLabel = try m.string("target_label", ctx) ?? ""
        c.replacement = try m.string("replacement", ctx) ?? "$1"
        if let av = m.take("action") {
            let a = try av.asString("action", ctx)
            guard let action = RelabelConfig.Action(rawValue: a.lowercased()) else {
                throw ctx.error(av, "unknown relabel action \"\(a)\"")
            }
            c.action = action
        }
        try m.finish(&ctx)
        if let problem = c.validationError(nameValidation: nameValidation) { throw ctx.error(v, problem) }
        return c
    }

    static func decodeList(_ items: [YAMLValue]?, _ ctx: inout DecodeContext, nameValidation: NameValidationScheme = .utf8) throws(ConfigError) -> [RelabelConfig] {
        var out: [RelabelConfig] = []
        for item in items ?? [] { out.append(try decode(item, &ctx, nameValidation: nameValidation)) }
        return out
    }
}
