import ArgumentParser
import Foundation

/// Flags that compose files and manifests written for the `prom/prometheus` image pass, which
/// Vigil has no use for or takes in another form. They are accepted, each with one warning at
/// start, so such a file runs unchanged instead of being refused.
struct PrometheusImageOptions: ParsableArguments {
    @Option(name: .customLong("web.console.libraries"), help: "Accepted for compatibility; Vigil serves no console templates.")
    var consoleLibraries: String?

    @Option(name: .customLong("web.console.templates"), help: "Accepted for compatibility; Vigil serves no console templates.")
    var consoleTemplates: String?

    @Option(name: .customLong("web.route-prefix"), help: "Accepted for compatibility; Vigil serves its routes at the root.")
    var routePrefix: String?

    @Option(name: .customLong("web.page-title"), help: "Accepted for compatibility; the UI keeps its own title.")
    var pageTitle: String?

    @Option(name: .customLong("storage.tsdb.retention"), help: "Deprecated form of --storage.tsdb.retention.time.")
    var retention: String?

    @Option(name: .customLong("enable-feature"), help: "Prometheus feature flags (comma-separated, repeatable): created-timestamp-zero-ingestion, native-histograms and otlp-deltatocumulative apply; others are reported as not applying.")
    var features: [String] = []

    /// Prometheus features that Vigil has without asking (`auto-reload-config`: see
    /// `--config.auto-reload-interval`).
    static let alwaysOn: Set<String> = ["auto-reload-config"]

    /// Prometheus features Vigil has when asked, as Prometheus does.
    static let honoured: Set<String> = [createdTimestampZeroIngestion, nativeHistograms, otlpDeltaToCumulative]

    /// Remote-write 2.0 created timestamps become zero samples.
    static let createdTimestampZeroIngestion = "created-timestamp-zero-ingestion"

    /// Scrape jobs prefer the protobuf format and store native histograms (as Prometheus 2 does
    /// with this flag).
    static let nativeHistograms = "native-histograms"

    /// The OTLP receiver adds delta points up into cumulative series instead of refusing them.
    static let otlpDeltaToCumulative = "otlp-deltatocumulative"

    /// The features named, one per entry.
    var featureNames: [String] {
        features.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One line per accepted flag that changes nothing, for the log.
    var warnings: [String] {
        var out: [String] = []
        if consoleLibraries != nil || consoleTemplates != nil {
            out.append("--web.console.libraries and --web.console.templates are ignored: Vigil serves no console templates (its UI and Grafana dashboards replace them)")
        }
        if let prefix = routePrefix, prefix != "/", !prefix.isEmpty {
            out.append("--web.route-prefix=\(prefix) is ignored: Vigil serves its UI and API at the root path")
        }
        if pageTitle != nil { out.append("--web.page-title is ignored") }
        for feature in featureNames where !Self.alwaysOn.contains(feature) && !Self.honoured.contains(feature) {
            out.append("--enable-feature=\(feature) does not apply to Vigil and is ignored")
        }
        return out
    }
}
