import Hummingbird
import MetricModel
import PromQL

extension APIRoutes {
    /// Prometheus' TSDB admin API, off unless `--web.enable-admin-api`: `snapshot` writes a
    /// copy of the data directory (blocks hard-linked, the head as one more block),
    /// `delete_series` deletes the samples of matching series in a time range (tombstones in the
    /// blocks, the samples themselves in the head), `clean_tombstones` rewrites the blocks
    /// without what was deleted. The last two answer 204 with no body, as Prometheus does.
    static func addAdmin(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        let snapshot: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in
            guard backend.settings.adminEnabled else { return adminDisabled() }
            switch await backend.snapshotStorage() {
            case .success(let name): return JSONResponse.success(["name": name])
            case .failure(let error): return JSONResponse.error(.internal, "create snapshot: \(error)")
            }
        }
        router.post("/api/v1/admin/tsdb/snapshot", use: snapshot)
        router.put("/api/v1/admin/tsdb/snapshot", use: snapshot)

        let delete: @Sendable (Request, VigilRequestContext) async throws -> Response = { request, _ in
            guard backend.settings.adminEnabled else { return adminDisabled() }
            let p = try await APIParameters.from(request)
            let matches = p.all("match[]")
            guard !matches.isEmpty else { return JSONResponse.error(.badData, "no match[] parameter provided") }
            var selectors: [[LabelMatcher]] = []
            for m in matches {
                do { selectors.append(try Parser.parseSelector(m).matchers) } catch {
                    return JSONResponse.error(.badData, "invalid match[] \(m): \(error)")
                }
            }
            let mint: Int64, maxt: Int64
            do throws(APIParameters.Invalid) {
                mint = try p.time("start", default: -Milliseconds.limit)
                maxt = try p.time("end", default: Milliseconds.limit)
            } catch { return JSONResponse.error(.badData, error.message) }
            guard mint <= maxt else { return JSONResponse.error(.badData, "end timestamp must not be before start time") }
            switch await backend.deleteSeries(selectors, mint: mint, maxt: maxt) {
            case .success: return Response(status: .noContent)
            case .failure(let error): return JSONResponse.error(.internal, "delete series: \(error)")
            }
        }
        router.post("/api/v1/admin/tsdb/delete_series", use: delete)
        router.put("/api/v1/admin/tsdb/delete_series", use: delete)

        let clean: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in
            guard backend.settings.adminEnabled else { return adminDisabled() }
            switch await backend.cleanTombstones() {
            case .success: return Response(status: .noContent)
            case .failure(let error): return JSONResponse.error(.internal, "clean tombstones: \(error)")
            }
        }
        router.post("/api/v1/admin/tsdb/clean_tombstones", use: clean)
        router.put("/api/v1/admin/tsdb/clean_tombstones", use: clean)
    }

    /// Prometheus' answer while the admin API is off.
    private static func adminDisabled() -> Response {
        JSONResponse.error(.unavailable, "admin APIs disabled (start with --web.enable-admin-api)")
    }
}
