import Exposition
import Hummingbird
import Push
import RemoteWrite
import Scrape
import TSDB

extension APIRoutes {
    /// `/api/v1/metadata`, `/api/v1/status/tsdb`, `/api/v1/query_exemplars`.
    static func addMetadata(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        router.get("/api/v1/metadata") { request, _ -> Response in
            let p = try await APIParameters.from(request)
            guard let manager = backend.scrapeManager else { return JSONResponse.error(.unavailable, "Vigil is not ready yet") }
            var all = await manager.metadata()
            // Pushed families, as Prometheus lists what it scraped from a Pushgateway.
            if backend.settings.pushEnabled, let gateway = backend.pushGateway {
                for (name, entries) in gateway.metadata {
                    var merged = Set(all[name] ?? [])
                    for e in entries { merged.insert(MetricMetadata(type: e.type, help: e.help, unit: e.unit)) }
                    all[name] = Array(merged)
                }
            }
            // Families remote-write 2.0 senders described (Prometheus lists scraped ones only).
            for (name, entry) in backend.receivedMetadata?.all ?? [:] {
                var merged = Set(all[name] ?? [])
                merged.insert(MetricMetadata(type: MetricType(rawValue: entry.type) ?? .unknown, help: entry.help, unit: entry.unit))
                all[name] = Array(merged)
            }
            let limit = Int(p["limit"] ?? "") ?? -1
            let perMetric = Int(p["limit_per_metric"] ?? "") ?? -1
            var names = all.keys.sorted()
            if let metric = p["metric"], !metric.isEmpty { names = names.filter { $0 == metric } }
            if limit >= 0 { names = Array(names.prefix(limit)) }
            var parts: [String] = []
            for name in names {
                var entries = (all[name] ?? []).sorted { ($0.type.rawValue, $0.help) < ($1.type.rawValue, $1.help) }
                if perMetric >= 0 { entries = Array(entries.prefix(perMetric)) }
                let list = entries.map {
                    "{\"type\":" + QueryResultJSON.string($0.type.rawValue) + ",\"help\":" + QueryResultJSON.string($0.help)
                        + ",\"unit\":" + QueryResultJSON.string($0.unit) + "}"
                }
                parts.append(QueryResultJSON.string(name) + ":[" + list.joined(separator: ",") + "]")
            }
            return json(QueryResultJSON.success("{" + parts.joined(separator: ",") + "}"))
        }

        router.get("/api/v1/status/tsdb") { request, _ -> Response in
            let p = try await APIParameters.from(request)
            var limit = 10
            if let text = p["limit"], !text.isEmpty {
                guard let n = Int(text), n > 0 else { return JSONResponse.error(.badData, "limit must be a positive number") }
                limit = n
            }
            guard let stats = backend.cardinality(limit: limit) else {
                return JSONResponse.error(.unavailable, "Vigil is not ready yet")
            }
            func list(_ entries: [CardinalityStats.Entry]) -> String {
                "[" + entries.map { "{\"name\":" + QueryResultJSON.string($0.name) + ",\"value\":\($0.value)}" }.joined(separator: ",") + "]"
            }
            let head = "{\"numSeries\":\(stats.numSeries),\"chunkCount\":\(stats.chunkCount),\"minTime\":\(stats.minTime),\"maxTime\":\(stats.maxTime)}"
            let data = "{\"headStats\":" + head
                + ",\"seriesCountByMetricName\":" + list(stats.seriesCountByMetricName)
                + ",\"labelValueCountByLabelName\":" + list(stats.labelValueCountByLabelName)
                + ",\"memoryInBytesByLabelName\":" + list(stats.memoryInBytesByLabelName)
                + ",\"seriesCountByLabelValuePair\":" + list(stats.seriesCountByLabelValuePair) + "}"
            return json(QueryResultJSON.success(data))
        }

        // Vigil stores no exemplars yet; an empty result is what Prometheus returns without them.
        let exemplars: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in json(QueryResultJSON.success("[]")) }
        router.get("/api/v1/query_exemplars", use: exemplars)
        router.post("/api/v1/query_exemplars", use: exemplars)
    }
}
