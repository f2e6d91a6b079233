import Config
import Testing

@Suite struct OTLPConfigTests {
    @Test func readsTheOTLPSectionAsPrometheusDefinesIt() throws {
        let config = try PrometheusConfig.parse("""
            otlp:
              promote_resource_attributes: [deployment.environment, " k8s.namespace.name "]
              translation_strategy: UnderscoreEscapingWithoutSuffixes
              keep_identifying_resource_attributes: true
              promote_scope_metadata: true
            """, file: "p.yml")
        #expect(config.otlp.promoteResourceAttributes == ["deployment.environment", "k8s.namespace.name"])
        #expect(config.otlp.translationStrategy == .underscoreEscapingWithoutSuffixes)
        #expect(config.otlp.keepIdentifyingResourceAttributes)
        #expect(config.otlp.promoteScopeMetadata)
        #expect(config.warnings.isEmpty, "the section is acted on, not ignored")
        #expect(try PrometheusConfig.parse("scrape_configs: []", file: "p.yml").otlp == OTLPConfig())
        let utf8 = try PrometheusConfig.parse("otlp: {translation_strategy: NoUTF8EscapingWithSuffixes}", file: "p.yml")
        #expect(utf8.otlp.translationStrategy == .noUTF8EscapingWithSuffixes)
    }

    @Test(arguments: [
        ("otlp: {translation_strategy: Bogus}", "unsupported translation_strategy"),
        ("global: {metric_name_validation_scheme: legacy}\notlp: {translation_strategy: NoTranslation}", "metric_name_validation_scheme legacy does not allow"),
        ("otlp: {promote_resource_attributes: [a, a]}", "listed twice"),
        ("otlp: {promote_resource_attributes: [\" \"]}", "empty attribute name"),
        ("otlp: {promote_all_resource_attributes: true, promote_resource_attributes: [a]}", "mutually exclusive"),
        ("otlp: {ignore_resource_attributes: [a]}", "only valid with promote_all_resource_attributes"),
        ("otlp: {promote_everything: true}", "field promote_everything not found"),
    ])
    func refusesSettingsItCannotHonour(yaml: String, message: String) {
        do {
            _ = try PrometheusConfig.parse(yaml, file: "p.yml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
