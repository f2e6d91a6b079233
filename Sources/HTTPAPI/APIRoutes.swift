import ConfigSupport
import Foundation
import Hummingbird
import NIOCore
import Scrape

/// Builds the router for Vigil's HTTP endpoints.
public enum APIRoutes {
    public static func router(state: ServerState) -> Router<VigilRequestContext> {
        let router = Router(context: VigilRequestContext.self)
        addLifecycle(router, state)
        addStatus(router, state)
        addRemoteWrite(router, state)
        addQueries(router, state)
        addMetadata(router, state)
        addQueryText(router)
        addRules(router, state)
        addAlertmanager(router, state)
        addGrafanaJSON(router, state)
        addWebUI(router, state)
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: state.metrics.render(database: state.database, rules: state.ruleManager,
                                                                                     notifier: state.notifier,
                                                                                     alertmanager: state.alertmanager))))
        }
        router.get("/api/v1/targets") { request, _ -> Response in
            guard let manager = state.scrapeManager else { return JSONResponse.error(.unavailable, "Vigil is not ready yet") }
            let snapshot = await manager.targets()
            let q = request.uri.queryParameters
            return JSONResponse.success(TargetsDTO(snapshot, state: q.get("state"), scrapePool: q.get("scrapePool")))
        }
        return router
    }

    static func text(_ s: String, _ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: s)))
    }

    static func addLifecycle(_ router: Router<VigilRequestContext>, _ state: ServerState) {
        router.get("/-/healthy") { _, _ in text("Vigil Server is Healthy.\n") }
        router.head("/-/healthy") { _, _ in text("") }
        router.get("/-/ready") { _, _ in
            state.isReady ? text("Vigil Server is Ready.\n") : text("Service Unavailable\n", .serviceUnavailable)
        }
        router.head("/-/ready") { _, _ in state.isReady ? text("") : text("", .serviceUnavailable) }
        let reload: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in
            guard state.lifecycleEnabled else { return text("Lifecycle API is not enabled.\n", .forbidden) }
            switch await state.reload() {
            case .success: return text("")
            case .failure(let message): return text("failed to reload config: \(message)\n", .internalServerError)
            }
        }
        router.post("/-/reload", use: reload)
        router.put("/-/reload", use: reload)
        let quit: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in
            guard state.lifecycleEnabled else { return text("Lifecycle API is not enabled.\n", .forbidden) }
            state.quit()
            return text("Requesting termination... Goodbye!\n")
        }
        router.post("/-/quit", use: quit)
        router.put("/-/quit", use: quit)
    }

    static func addStatus(_ router: Router<VigilRequestContext>, _ state: ServerState) {
        router.get("/api/v1/status/buildinfo") { _, _ in JSONResponse.success(state.buildInfo) }
        router.get("/api/v1/status/flags") { _, _ in JSONResponse.success(state.flags) }
        router.get("/api/v1/status/config") { _, _ -> Response in
            guard let config = state.config else { return JSONResponse.error(.unavailable, "no configuration loaded") }
            return JSONResponse.success(["yaml": config.renderedYAML])
        }
        router.get("/api/v1/status/runtimeinfo") { _, _ -> Response in
            let reload = state.lastReload
            return JSONResponse.success(RuntimeInfoDTO(
                startTime: APITime.format(state.startTime),
                CWD: FileManager.default.currentDirectoryPath,
                reloadConfigSuccess: reload.success,
                lastConfigTime: APITime.format(reload.at),
                corruptionCount: state.database.map { $0.head.stats.walCorruptions.load(ordering: .relaxed) } ?? 0,
                goroutineCount: 0,
                GOMAXPROCS: ProcessInfo.processInfo.activeProcessorCount,
                GOGC: "",
                GODEBUG: "",
                storageRetention: state.flags["storage.tsdb.retention.time"] ?? ""))
        }
    }
}

/// `/api/v1/status/runtimeinfo` data, with Prometheus' field names.
struct RuntimeInfoDTO: Encodable {
    let startTime: String
    let CWD: String
    let reloadConfigSuccess: Bool
    let lastConfigTime: String
    let corruptionCount: Int
    let goroutineCount: Int
    let GOMAXPROCS: Int
    let GOGC: String
    let GODEBUG: String
    let storageRetention: String
}
