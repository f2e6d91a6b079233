import MetricModel
import Testing
@testable import Config
import ConfigSupport

@Suite struct PrometheusConfigTests {
    static let modelAPI = """
    global:
      scrape_interval: 30s
      external_labels:
        cluster: prod
    rule_files:
      - alert.rules.yml
    alerting:
      alertmanagers:
        - static_configs:
            - targets: ['alertmanager:9093']
    remote_write:
      - url: http://mimir:9009/api/v1/push
    scrape_configs:
      - job_name: model-api
        scrape_interval: 5s
        static_configs:
          - targets: ['model-api:8000']
            labels:
              team: ml
        basic_auth:
          username: scraper
          password: hunter2
        relabel_configs:
          - source_labels: [__address__]
            regex: '(.*):\\d+'
            target_label: host
        metric_relabel_configs:
          - source_labels: [__name__]
            regex: 'go_.*'
            action: drop
      - job_name: node
        file_sd_configs:
          - files: ['targets/*.json']
        kubernetes_sd_configs:
          - role: pod
        consul_sd_configs:
          - server: consul:8500
    """

    @Test func loadsARealisticFileWithDefaultsAndWarnings() throws {
        let c = try PrometheusConfig.parse(Self.modelAPI, file: "/etc/vigil/prometheus.yml")
        #expect(c.global.scrapeInterval == PromDuration(milliseconds: 30_000))
        #expect(c.global.scrapeTimeout == PromDuration(milliseconds: 10_000))
        #expect(c.global.externalLabels["cluster"] == "prod")
        #expect(c.ruleFiles == ["/etc/vigil/alert.rules.yml"])
        let job = c.scrapeConfigs[0]
        #expect(job.scrapeInterval.milliseconds == 5000)
        // An unset timeout is capped by the job's own interval.
        #expect(job.scrapeTimeout.milliseconds == 5000)
        #expect(job.staticConfigs[0].labels["team"] == "ml")
        #expect(job.httpClient.basicAuth?.password?.value == "hunter2")
        #expect(job.metricRelabelConfigs[0].action == .drop)
        #expect(c.scrapeConfigs[1].fileSDConfigs[0].files == ["/etc/vigil/targets/*.json"])
        let warned = c.warnings.map(\.message).joined(separator: "\n")
        #expect(!warned.contains("remote_write"), "remote write is sent now")
        #expect(warned.contains("consul_sd_configs"))
        #expect(!warned.contains("kubernetes_sd_configs"), "Kubernetes discovery is supported")
        #expect(c.scrapeConfigs[1].kubernetesSDConfigs.first?.role == .pod)
        #expect(!warned.contains("alerting"), "alerts are sent now")
        #expect(c.alerting.alertmanagers.first?.targets == ["alertmanager:9093"])
    }

    @Test func usesVigilDefaultsOf15And10Seconds() throws {
        let c = try PrometheusConfig.parse("scrape_configs:\n  - job_name: x\n", file: "p.yml")
        #expect(c.scrapeConfigs[0].scrapeInterval.milliseconds == 15_000)
        #expect(c.scrapeConfigs[0].scrapeTimeout.milliseconds == 10_000)
        #expect(c.scrapeConfigs[0].metricsPath == "/metrics")
    }

    @Test func nativeHistogramSettingsAreReadGloballyAndPerJob() throws {
        let c = try PrometheusConfig.parse("""
            global:
              native_histogram_bucket_limit: 160
            scrape_configs:
              - job_name: text
              - job_name: proto
                scrape_protocols: [PrometheusProto, PrometheusText0.0.4]
                always_scrape_classic_histograms: true
              - job_name: asked
                scrape_native_histograms: true
                native_histogram_min_bucket_factor: 1.1
              - job_name: older
                scrape_protocols: [PrometheusProto]
                scrape_classic_histograms: true
                scrape_native_histograms: false
                native_histogram_bucket_limit: 20

            """, file: "p.yml")
        let jobs = Dictionary(uniqueKeysWithValues: c.scrapeConfigs.map { ($0.jobName, $0) })
        let text = try #require(jobs["text"]), proto = try #require(jobs["proto"]), asked = try #require(jobs["asked"]), older = try #require(jobs["older"])
        #expect(!text.storesNativeHistograms, "the text formats carry no native histograms")
        #expect(text.nativeHistograms.bucketLimit == 160)
        #expect(proto.storesNativeHistograms && proto.nativeHistograms.alwaysScrapeClassicHistograms)
        #expect(asked.storesNativeHistograms)
        #expect(asked.scrapeProtocols.first == "PrometheusProto", "asking for native histograms prefers protobuf, as Prometheus does")
        #expect(asked.nativeHistograms.minBucketFactor == 1.1)
        #expect(!older.storesNativeHistograms && older.nativeHistograms.alwaysScrapeClassicHistograms)
        #expect(older.nativeHistograms.bucketLimit == 20)
        #expect(throws: ConfigError.self) { try PrometheusConfig.parse("scrape_configs:\n  - job_name: x\n    native_histogram_min_bucket_factor: -2\n", file: "p.yml") }
    }

    @Test func masksSecretsWhenRendered() throws {
        let c = try PrometheusConfig.parse(Self.modelAPI, file: "p.yml")
        let yaml = c.renderedYAML
        #expect(!yaml.contains("hunter2"))
        #expect(yaml.contains("password: <secret>"))
        // The rendering is itself valid YAML that loads to the same structure.
        let again = try YAMLValue.parse(yaml, file: "again.yml")
        guard case .mapping(let pairs) = again.kind else { Issue.record("not a mapping"); return }
        #expect(pairs.map(\.key) == ["global", "rule_files", "alerting", "remote_write", "scrape_configs"])
    }

    @Test func everySecretFieldIsMaskedWhenRendered() throws {
        let yaml = """
            scrape_configs:
              - job_name: a
                basic_auth: {username: u, password: 'SECRET-1'}
                tls_config: {cert: 'CERTIFICATE-TEXT', key: 'SECRET-2'}
                proxy_url: 'http://proxy:SECRET-3@proxy.example.org:3128'
                http_headers:
                  X-Token: {secrets: ['SECRET-5', 'SECRET-6']}
                static_configs: [{targets: ['api:8000']}]
              - job_name: b
                authorization: {credentials: 'SECRET-7'}
                static_configs: [{targets: ['api:8000']}]
              - job_name: c
                oauth2: {client_id: id, client_secret: 'SECRET-4', token_url: 'https://auth.example.org/token'}
                static_configs: [{targets: ['api:8000']}]
            alerting:
              alertmanagers:
                - basic_auth: {username: u, password: 'SECRET-8'}
                  static_configs: [{targets: ['am:9093']}]
            remote_write:
              - url: 'https://writer:SECRET-9@mimir.example.org/api/v1/push'
            """
        let shown = try PrometheusConfig.parse(yaml, file: "p.yml").renderedYAML
        #expect(!shown.contains("SECRET-"), "\(shown)")
        #expect(shown.contains("username: u"))
        #expect(shown.contains("https://writer:<secret>@mimir.example.org/api/v1/push"))
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var yaml: String
        var line: Int
        var fragment: String
        var testDescription: String { fragment }
    }

    @Test(arguments: [
        BadCase(yaml: "global:\n  scrape_intervall: 15s\n", line: 2, fragment: "field scrape_intervall not found"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    scrape_interval: fast\n", line: 3, fragment: "not a valid duration"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n", line: 2, fragment: "scrape timeout greater than scrape interval"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n  - job_name: b\n  - job_name: a\n", line: 4, fragment: "multiple scrape configs with job name \"a\""),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - regex: '(unclosed'\n        action: drop\n", line: 4, fragment: "missing closing )"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n", line: 3, fragment: "boolean"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    sample_limit: -3\n", line: 3, fragment: "non-negative integer"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: x\n", line: 4, fragment: "non-zero modulus"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: explode\n", line: 4, fragment: "unknown relabel action"),
        BadCase(yaml: "global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n", line: 2, fragment: "global scrape timeout"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    basic_auth:\n      password: x\n      password_file: y\n", line: 4, fragment: "password & password_file"),
        BadCase(yaml: "scrape_configs: [\n", line: 2, fragment: "yaml:"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    scheme: ftp\n", line: 2, fragment: "invalid scheme"),
        BadCase(yaml: "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [x.txt]\n", line: 4, fragment: "file extension"),
    ])
    func refusesBadFilesNamingFileAndLine(_ c: BadCase) {
        do {
            _ = try PrometheusConfig.parse(c.yaml, file: "bad.yml")
            Issue.record("accepted a bad config")
        } catch {
            #expect(error.file == "bad.yml")
            #expect(error.line == c.line, "\(error)")
            #expect(error.message.contains(c.fragment), "\(error)")
        }
    }

    @Test(arguments: [("512MB", 512 << 20), ("1KiB", 1024), ("0", 0), ("10B", 10)])
    func parsesByteSizes(text: String, bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test func embeddedDefaultScrapesVigilItself() throws {
        let c = try PrometheusConfig.parse(PrometheusConfig.selfScraping(listenAddress: "0.0.0.0:9191"), file: "<default>")
        #expect(c.scrapeConfigs[0].staticConfigs[0].targets == ["localhost:9191"])
    }
}

/// `kubernetes_sd_configs` as Prometheus users write them.
@Suite struct KubernetesSDConfigTests {
    @Test func rolesNamespacesSelectorsAndAuthAreRead() throws {
        let config = try PrometheusConfig.parse("""
            scrape_configs:
              - job_name: pods
                kubernetes_sd_configs:
                  - role: pod
                    api_server: https://k8s.example.org:6443
                    authorization: {credentials: abc}
                    namespaces: {own_namespace: true, names: [ml, spark]}
                    selectors: [{role: pod, label: "app=model"}]
                    attach_metadata: {node: true}
            """, file: "p.yml")
        let sd = try #require(config.scrapeConfigs.first?.kubernetesSDConfigs.first)
        #expect(sd.role == .pod)
        #expect(sd.apiServer == "https://k8s.example.org:6443")
        #expect(sd.namespaces == ["ml", "spark"] && sd.ownNamespace)
        #expect(sd.selectors.first?.label == "app=model")
        #expect(sd.attachNodeMetadata)
    }

    @Test func anUnknownRoleIsRefused() {
        #expect(throws: (any Error).self) {
            try PrometheusConfig.parse("scrape_configs: [{job_name: x, kubernetes_sd_configs: [{role: deployment}]}]", file: "p.yml")
        }
    }
}
