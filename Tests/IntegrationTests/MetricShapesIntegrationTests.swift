import Foundation
import Testing

/// The two ways teams count predictions — one counter with a `species` label, or one counter per
/// class — scraped from the real prometheus_client model API in each shape: the shipped rules,
/// anomaly rules and dashboard query read both alike.
@Suite(.serialized) struct MetricShapesIntegrationTests {
    @Test func labelledAndPerClassCountersGiveTheSameSeriesToRulesAndDashboards() async throws {
        let (labelled, labelledPort) = try await startModelAPI(rate: 30)
        let (perClass, perClassPort) = try await startModelAPI(rate: 30, shape: "per-class")
        defer { _ = (labelled, perClass) }
        let exposition = try await HTTP.request("http://127.0.0.1:\(perClassPort)/metrics").body
        #expect(exposition.contains("python_iris_setosa_predictions_total") && !exposition.contains("python_iris_predictions_total"))
        #expect(exposition.contains("# TYPE python_processing_time_seconds summary"))

        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for file in ["alert.rules.yml", "model-api.anomaly.rules.yml"] {
            try FileManager.default.copyItem(atPath: Paths.repoRoot.appendingPathComponent("rules/" + file).path, toPath: dir + "/" + file)
        }
        let vigil = try await VigilInstance(config: """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: ['\(dir)/alert.rules.yml', '\(dir)/model-api.anomaly.rules.yml']
            scrape_configs:
              - job_name: model-api
                static_configs: [{targets: ['127.0.0.1:\(labelledPort)']}]
              - job_name: model-api-v2
                static_configs: [{targets: ['127.0.0.1:\(perClassPort)']}]
            """, dir: dir)

        // The recorded per-class rate has the three classes for each job, whatever its shape.
        let species = ["setosa", "versicolor", "virginica"]
        let both = await eventually(timeout: .seconds(40)) {
            let result = (try? await Self.series(vigil.base, "job_species:python_iris_predictions:rate5m")) ?? []
            return ["model-api", "model-api-v2"].allSatisfy { job in
                Set(result.filter { $0.labels["job"] == job && $0.value > 0 }.compactMap { $0.labels["species"] }) == Set(species)
            }
        }
        #expect(both, "\(vigil.process.log.suffix(2000))")
        // Only the per-class job needed the translation; the labelled one is read as it is.
        let translated = try await Self.series(vigil.base, "instance_species:python_iris_predictions:total")
        #expect(Set(translated.compactMap { $0.labels["job"] }) == ["model-api-v2"])
        #expect(Set(translated.compactMap { $0.labels["species"] }) == Set(species))

        // The dashboard's prediction panel, as Grafana (or Vigil's UI) sends it for the second job.
        let dashboard = try String(contentsOf: Paths.repoRoot.appendingPathComponent("dashboards/model-api.json"), encoding: .utf8)
        let panel = try #require(dashboard.split(separator: "\n").first { $0.contains("sum by (species) (rate(python_iris_predictions_total") })
        var expr = String(panel.split(separator: "\"expr\": \"", maxSplits: 1).last ?? "")
        expr = String(expr.prefix { $0 != "," }.dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            .replacingOccurrences(of: "$job", with: "model-api-v2").replacingOccurrences(of: "$__rate_interval", with: "1m")
        let plotted = try await Self.series(vigil.base, expr)
        #expect(Set(plotted.compactMap { $0.labels["species"] }) == Set(species), "\(expr)")

        // Processing time as a histogram (first job) or a summary (second): the mean reads both.
        let means = await eventually(timeout: .seconds(20)) {
            let result = (try? await Self.series(vigil.base, "job:python_processing_time_seconds:mean5m")) ?? []
            return Set(result.filter { $0.value > 0 }.compactMap { $0.labels["job"] }) == ["model-api", "model-api-v2"]
        }
        #expect(means)
        // Every shipped rule, the anomaly rules included, evaluates without error on both shapes.
        let rules = try await HTTP.request(vigil.base + "/api/v1/rules").body
        #expect(rules.contains("PredictionRateAnomaly") && !rules.contains("\"health\":\"err\""), "\(rules.prefix(3000))")
    }

    struct Series {
        var labels: [String: String]
        var value: Double
    }

    static func series(_ base: String, _ query: String) async throws -> [Series] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let reply = try await HTTP.request(base + "/api/v1/query?query=" + encoded)
        let result = ((reply.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return result.compactMap { item in
            guard let labels = item["metric"] as? [String: String], let v = (item["value"] as? [Any])?.last as? String, let value = Double(v) else { return nil }
            return Series(labels: labels, value: value)
        }
    }
}
