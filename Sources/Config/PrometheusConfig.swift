import ConfigSupport
import Foundation
import MetricModel

/// A loaded `prometheus.yml`: typed sections Vigil acts on, plus the source tree for the status API.
public struct PrometheusConfig: Sendable {
    public var global = GlobalConfig()
    /// Globs of rule files, resolved against the config file's directory.
    public var ruleFiles: [String] = []
    public var scrapeConfigs: [ScrapeConfig] = []
    public var alerting = AlertingConfig()
    /// `remote_write`: where the WAL's samples are sent, in order.
    public var remoteWrite: [RemoteWriteConfig] = []
    public var outOfOrderTimeWindow = PromDuration(milliseconds: 0)
    /// `otlp`: how metrics received over OTLP are named and labelled.
    public var otlp = OTLPConfig()
    /// The parsed document, for `/api/v1/status/config`.
    public var source: YAMLValue
    /// Fields accepted but not acted on, each to be logged once.
    public var warnings: [ConfigWarning] = []
    public var file: String

    /// Top-level sections Prometheus defines that Vigil accepts without acting on them yet.
    static let ignoredKnownSections: Set<String> = ["remote_read", "tracing", "runtime"]

    /// Vigil's embedded default when no config file exists: scrape Vigil itself.
    public static func selfScraping(listenAddress: String) -> String {
        let port = listenAddress.split(separator: ":").last.map(String.init) ?? "9090"
        return """
        global:
          scrape_interval: 15s
          scrape_timeout: 10s
          evaluation_interval: 15s
        scrape_configs:
          - job_name: vigil
            static_configs:
              - targets: ["localhost:\(port)"]

        """
    }

    /// Loads and validates a config file (see ``parse(_:file:nativeHistogramsByDefault:)``).
    public static func load(file: String, nativeHistogramsByDefault: Bool = false) throws(ConfigError) -> PrometheusConfig {
        try parse(try ConfigError.readFile(file), file: file, nativeHistogramsByDefault: nativeHistogramsByDefault)
    }

    /// Parses and validates config text; relative paths resolve against `file`'s directory.
    /// `nativeHistogramsByDefault` (Prometheus 2's `--enable-feature=native-histograms`) makes
    /// `scrape_native_histograms: true` the default, so jobs prefer the protobuf format.
    public static func parse(_ text: String, file: String, nativeHistogramsByDefault: Bool = false) throws(ConfigError) -> PrometheusConfig {
        let root = try YAMLValue.parse(text, file: file)
        var ctx = DecodeContext(file: file)
        var m = try MappingReader(root, what: "config", ctx)
        var config = PrometheusConfig(source: root, file: file)
        let baseDir = FilePaths.directory(of: file)
        config.global = try GlobalConfig.decode(m.take("global"), nativeHistogramsByDefault: nativeHistogramsByDefault, &ctx)
        if let rv = m.take("rule_files") {
            guard case .sequence(let items) = rv.kind else { throw ctx.error(rv, "field rule_files: expected a list of strings") }
            for item in items { config.ruleFiles.append(resolve(try item.asString("rule_files", ctx), baseDir)) }
        }
        // Where each job was defined, for the duplicate-name message.
        var jobLines: [(file: String, line: Int)] = []
        for item in try m.sequence("scrape_configs", ctx) ?? [] {
            config.scrapeConfigs.append(try ScrapeConfig.decode(item, global: config.global, &ctx))
            jobLines.append((file, item.line))
        }
        for pattern in try m.stringList("scrape_config_files", ctx) ?? [] {
            for path in FileGlob.expand(resolve(pattern, baseDir)) {
                let loaded = try loadScrapeConfigFile(path, global: config.global, warnings: &ctx.warnings)
                config.scrapeConfigs += loaded.map(\.0)
                jobLines += loaded.map { (path, $0.1) }
            }
        }
        if let alerting = m.take("alerting") {
            config.alerting = try AlertingConfig.decode(alerting, &ctx)
        }
        for item in try m.sequence("remote_write", ctx) ?? [] {
            var rw = try RemoteWriteConfig.decode(item, &ctx)
            rw.httpClient = rw.httpClient.resolvingPaths(relativeTo: baseDir)
            config.remoteWrite.append(rw)
        }
        try RemoteWriteConfig.checkNames(config.remoteWrite, source: m.value, &ctx)
        if let otlp = m.take("otlp") {
            config.otlp = try OTLPConfig.decode(otlp, &ctx)
            if config.otlp.translationStrategy.keepsUTF8, config.global.nameSchemes.validation == .legacy {
                throw ctx.error(otlp, "otlp: translation_strategy \(config.otlp.translationStrategy.rawValue) keeps UTF-8 names, which metric_name_validation_scheme legacy does not allow")
            }
        }
        if let storage = m.take("storage") {
            try decodeStorage(storage, into: &config, &ctx)
        }
        try m.finish(&ctx, ignoredKnownFields: ignoredKnownSections)
        var seen: [String: (file: String, line: Int)] = [:]
        for (sc, at) in zip(config.scrapeConfigs, jobLines) {
            if let first = seen[sc.jobName] {
                throw ConfigError(file: at.file, line: at.line,
                                  message: "found multiple scrape configs with job name \"\(sc.jobName)\" (first at \(first.file):\(first.line))")
            }
            seen[sc.jobName] = at
        }
        config.scrapeConfigs = config.scrapeConfigs.map { $0.resolvingPaths(relativeTo: baseDir) }
        config.warnings = ctx.warnings
        return config
    }

    private static func decodeStorage(_ v: YAMLValue, into config: inout PrometheusConfig, _ ctx: inout DecodeContext) throws(ConfigError) {
        var m = try MappingReader(v, what: "storage", ctx)
        if let tsdb = m.take("tsdb") {
            var t = try MappingReader(tsdb, what: "tsdb", ctx)
            if let window = try t.duration("out_of_order_time_window", ctx) {
                config.outOfOrderTimeWindow = window
                if window.milliseconds > 0 {
                    ctx.warn(tsdb, "storage.tsdb.out_of_order_time_window: out-of-order ingestion is not implemented yet; out-of-order samples are rejected")
                }
            }
            try t.finish(&ctx)
        }
        try m.finish(&ctx, ignoredKnownFields: ["exemplars"])
    }

    static func loadScrapeConfigFile(_ path: String, global: GlobalConfig, warnings: inout [ConfigWarning]) throws(ConfigError) -> [(ScrapeConfig, Int)] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError(file: path, line: 0, message: "cannot read scrape config file: \(error.localizedDescription)")
        }
        let root = try YAMLValue.parse(text, file: path)
        var ctx = DecodeContext(file: path)
        var m = try MappingReader(root, what: "scrape config file", ctx)
        var out: [(ScrapeConfig, Int)] = []
        for item in try m.sequence("scrape_configs", ctx) ?? [] {
            out.append((try ScrapeConfig.decode(item, global: global, &ctx), item.line))
        }
        try m.finish(&ctx)
        warnings += ctx.warnings
        return out
    }

    static func resolve(_ path: String, _ baseDir: String) -> String { FilePaths.resolve(path, against: baseDir) }

    /// The configuration as YAML with secrets masked, as `/api/v1/status/config` shows it.
    public var renderedYAML: String { source.rendered(maskingKeys: SecretFields.prometheus.contains) }
}

extension ScrapeConfig {
    /// Makes file paths in the job relative to the config file, as Prometheus does: file SD
    /// files, credential and TLS files of the scrape and of HTTP and Kubernetes discovery, and
    /// kubeconfig files.
    func resolvingPaths(relativeTo dir: String) -> ScrapeConfig {
        var c = self
        c.fileSDConfigs = fileSDConfigs.map { FileSDConfig(files: $0.files.map { PrometheusConfig.resolve($0, dir) }, refreshInterval: $0.refreshInterval) }
        c.httpClient = httpClient.resolvingPaths(relativeTo: dir)
        for i in c.httpSDConfigs.indices { c.httpSDConfigs[i].httpClient = c.httpSDConfigs[i].httpClient.resolvingPaths(relativeTo: dir) }
        for i in c.kubernetesSDConfigs.indices {
            c.kubernetesSDConfigs[i].httpClient = c.kubernetesSDConfigs[i].httpClient.resolvingPaths(relativeTo: dir)
            c.kubernetesSDConfigs[i].kubeconfigFile = c.kubernetesSDConfigs[i].kubeconfigFile.map { PrometheusConfig.resolve($0, dir) }
        }
        return c
    }
}

extension HTTPClientConfig {
    /// The same options with credential and TLS file paths made relative to `dir`.
    func resolvingPaths(relativeTo dir: String) -> HTTPClientConfig {
        var c = self
        let r = { (p: String?) in p.map { PrometheusConfig.resolve($0, dir) } }
        c.basicAuth?.passwordFile = r(basicAuth?.passwordFile)
        c.basicAuth?.usernameFile = r(basicAuth?.usernameFile)
        c.authorization?.credentialsFile = r(authorization?.credentialsFile)
        c.tlsConfig.caFile = r(tlsConfig.caFile)
        c.tlsConfig.certFile = r(tlsConfig.certFile)
        c.tlsConfig.keyFile = r(tlsConfig.keyFile)
        return c
    }
}
