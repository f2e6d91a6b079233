import Hummingbird

extension APIRoutes {
    /// Prometheus' TSDB admin API, off unless `--web.enable-admin-api`: `snapshot` writes a
    /// backup of the stored samples. Deleting series (`delete_series`, `clean_tombstones`) needs
    /// tombstones in the WAL, which Vigil does not have yet; those answer 501 saying so.
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
        for path in ["/api/v1/admin/tsdb/delete_series", "/api/v1/admin/tsdb/clean_tombstones"] {
            let notYet: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in
                guard backend.settings.adminEnabled else { return adminDisabled() }
                return JSONResponse.error(.notImplemented, "deleting series is not supported by Vigil yet")
            }
            router.post(RouterPath(path), use: notYet)
            router.put(RouterPath(path), use: notYet)
        }
    }

    /// Prometheus' answer while the admin API is off.
    private static func adminDisabled() -> Response {
        JSONResponse.error(.unavailable, "admin APIs disabled (start with --web.enable-admin-api)")
    }
}
