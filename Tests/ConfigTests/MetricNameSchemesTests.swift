import Config
import MetricModel
import Testing

@Suite struct MetricNameSchemesTests {
    @Test func utf8NamesAreTheDefaultAndAJobInheritsOrOverridesTheGlobalSchemes() throws {
        let config = try PrometheusConfig.parse("""
            global:
              metric_name_validation_scheme: legacy
            scrape_configs:
              - job_name: inherits
              - job_name: dots
                metric_name_validation_scheme: legacy
                metric_name_escaping_scheme: dots
              - job_name: modern
                metric_name_validation_scheme: utf8

            """, file: "p.yml")
        #expect(config.global.nameSchemes == MetricNameSchemes(validation: .legacy, escaping: .underscores))
        #expect(config.scrapeConfigs[0].nameSchemes == MetricNameSchemes(validation: .legacy, escaping: .underscores))
        #expect(config.scrapeConfigs[1].nameSchemes == MetricNameSchemes(validation: .legacy, escaping: .dots))
        #expect(config.scrapeConfigs[2].nameSchemes == MetricNameSchemes(validation: .utf8, escaping: .allowUTF8))
        #expect(config.warnings.isEmpty)
        let plain = try PrometheusConfig.parse("scrape_configs: [{job_name: a}]", file: "p.yml")
        #expect(plain.scrapeConfigs[0].nameSchemes == MetricNameSchemes(validation: .utf8, escaping: .allowUTF8))
    }

    @Test(arguments: [
        ("global: {metric_name_validation_scheme: ascii}", "unknown metric_name_validation_scheme"),
        ("global: {metric_name_escaping_scheme: slashes}", "unknown metric_name_escaping_scheme"),
        ("global: {metric_name_validation_scheme: legacy, metric_name_escaping_scheme: allow-utf-8}", "cannot be allow-utf-8"),
        ("scrape_configs: [{job_name: a, metric_name_validation_scheme: legacy, metric_name_escaping_scheme: allow-utf-8}]", "cannot be allow-utf-8"),
        // A legacy job's relabeling may not write UTF-8 label names (a UTF-8 job's may).
        ("scrape_configs: [{job_name: a, metric_name_validation_scheme: legacy, relabel_configs: [{source_labels: [job], target_label: status.code}]}]",
         "'status.code' is invalid 'target_label' for replace action"),
        ("global: {metric_name_validation_scheme: legacy}\nscrape_configs: [{job_name: a, metric_relabel_configs: [{action: labelmap, regex: 'k8s_(.+)', replacement: kube.pod}]}]",
         "'kube.pod' is invalid 'replacement' for labelmap action"),
    ])
    func refusesSchemesThatCannotWork(yaml: String, message: String) {
        do {
            _ = try PrometheusConfig.parse(yaml, file: "p.yml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func aUTF8JobsRelabelingMayWriteUTF8LabelNames() throws {
        let config = try PrometheusConfig.parse("""
            scrape_configs:
              - job_name: a
                relabel_configs: [{source_labels: [job], target_label: status.code}]
                metric_relabel_configs: [{action: labelmap, regex: 'k8s_(.+)', replacement: kube.pod}]
            """, file: "p.yml")
        #expect(config.scrapeConfigs.first?.relabelConfigs.first?.targetLabel == "status.code")
    }
}
