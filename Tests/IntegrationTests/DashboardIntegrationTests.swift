import Foundation
import Testing

/// The shipped Grafana dashboards: well-formed for import into any Grafana (datasource by `uid`
/// variable), and every panel query runs on Vigil and finds data from a real model API and Vigil itself.
@Suite(.serialized) struct DashboardIntegrationTests {
    static let files = ["model-api.json", "vigil.json"]

    static func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Paths.repoRoot.appendingPathComponent("dashboards/" + name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Every panel: the top-level ones, rows included, and those inside collapsed rows.
    static func allPanels(_ d: [String: Any]) -> [[String: Any]] {
        let top = d["panels"] as? [[String: Any]] ?? []
        return top + top.flatMap { $0["panels"] as? [[String: Any]] ?? [] }
    }

    @Test(arguments: files) func dashboardsImportIntoAnyGrafana(file: String) throws {
        let d = try Self.load(file)
        #expect(d["uid"] is String && d["title"] is String && d["schemaVersion"] is Int)
        let variables = (d["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        #expect(variables.contains { $0["type"] as? String == "datasource" && $0["query"] as? String == "prometheus" })
        let panels = Self.allPanels(d)
        #expect(!panels.isEmpty)
        var ids = Set<Int>()
        for p in panels {
            let id = p["id"] as? Int ?? -1
            #expect(ids.insert(id).inserted, "panel ids are unique")
            let grid = p["gridPos"] as? [String: Int] ?? [:]
            #expect((grid["x"] ?? -1) >= 0 && (grid["x"] ?? 99) + (grid["w"] ?? 99) <= 24 && (grid["h"] ?? 0) > 0, "\(p["title"] ?? "")")
            guard p["type"] as? String != "text", p["type"] as? String != "row" else { continue }
            #expect(["timeseries", "stat", "gauge", "table", "bargauge", "piechart", "heatmap"].contains(p["type"] as? String ?? ""))
            #expect((p["datasource"] as? [String: String])?["uid"] == "${datasource}")
            #expect(!(p["targets"] as? [[String: Any]] ?? []).isEmpty)
        }
    }

    @Test func everyPanelQueryRunsOnVigilAndFindsData() async throws {
        let (api, apiPort) = try await startModelAPI(rate: 20)
        defer { _ = api }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = freePort()
        try "groups:\n  - name: g\n    interval: 1s\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1)\n"
            .write(toFile: dir + "/a.rules.yml", atomically: true, encoding: .utf8)
        let config = """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: ['a.rules.yml']
        scrape_configs:
          - job_name: model-api
            static_configs: [{targets: ['127.0.0.1:\(apiPort)']}]
          - job_name: vigil
            static_configs: [{targets: ['127.0.0.1:\(port)']}]
        """
        let vigil = try await VigilInstance(config: config, dir: dir, port: port)
        _ = vigil
        try await Task.sleep(for: .seconds(8))
        let base = "http://127.0.0.1:\(port)"
        // Queries that may rightly be empty on a healthy test setup.
        let mayBeEmpty: Set<String> = ["Scrape failures / s by job", "Error ratio", "Error ratio by instance", "WAL fsync p99"]
        for file in Self.files {
            for p in Self.allPanels(try Self.load(file)) {
                for t in p["targets"] as? [[String: Any]] ?? [] {
                    guard let raw = t["expr"] as? String else { continue }
                    let expr = raw.replacingOccurrences(of: "$__rate_interval", with: "10s").replacingOccurrences(of: "$__range", with: "1m")
                        .replacingOccurrences(of: "$job", with: ".*").replacingOccurrences(of: "$instance", with: ".*")
                    let q = expr.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                    let reply = try await HTTP.request(base + "/api/v1/query?query=" + q)
                    let title = p["title"] as? String ?? ""
                    #expect(reply.status == 200, "\(file) · \(title): \(expr) → \(reply.body)")
                    let result = ((reply.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [Any] ?? []
                    if !mayBeEmpty.contains(title) {
                        #expect(!result.isEmpty, "\(file) · \(title): \(expr) returned nothing")
                    }
                }
            }
        }
    }
}
