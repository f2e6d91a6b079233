import ConfigSupport
import Foundation
import Hummingbird
import NIOCore
import Scrape
import WebSecurity

/// Builds the router for Vigil's HTTP endpoints.
public enum APIRoutes {
    /// Every route behind the web configuration's door (`webSecurity`: TLS is the channel's,
    /// the rate limit, basic auth and headers are this middleware's), then the API's CORS policy.
    /// Which server the routes stand in for. Both serve every endpoint; the Alertmanager port
    /// (`--alertmanager.listen-address`) opens the UI on its alerts page, as Alertmanager's own
    /// UI does, so a bookmarked `http://host:9093/` still lands on alerts.
    public enum Surface: Sendable {
        case prometheus, alertmanager
    }

    public static func router(backend: any APIBackend, webSecurity: WebConfigStore = WebConfigStore(),
                              surface: Surface = .prometheus) -> Router<VigilRequestContext> {
        let router = Router(context: VigilRequestContext.self)
        router.add(middleware: WebSecurityMiddleware(store: webSecurity))
        router.add(middleware: CORSPolicy(origin: backend.settings.corsOrigin))
        if backend.settings.agentMode { router.add(middleware: AgentModeGuard()) }
        addLifecycle(router, backend)
        addAdmin(router, backend)
        addStatus(router, backend)
        addRemoteWrite(router, backend)
        addOTLP(router, backend)
        addPush(router, backend)
        addQueries(router, backend)
        addFederation(router, backend)
        addMetadata(router, backend)
        addQueryText(router)
        addRules(router, backend)
        addAlertmanager(router, backend)
        addGrafanaJSON(router, backend)
        addWebUI(router, backend, landingPage: surface == .alertmanager ? "alerts" : "graph")
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: await backend.metricsExposition())))
        }
        router.get("/api/v1/targets") { request, _ -> Response in
            guard let manager = backend.scrapeManager else { return JSONResponse.error(.unavailable, "Vigil is not ready yet") }
            let snapshot = await manager.targets()
            let q = request.uri.queryParameters
            return JSONResponse.success(TargetsDTO(snapshot, state: q.get("state"), scrapePool: q.get("scrapePool")))
        }
        return router
    }

    static func text(_ s: String, _ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: s)))
    }

    static func addLifecycle(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        router.get("/-/healthy") { _, _ in text("Vigil Server is Healthy.\n") }
        router.head("/-/healthy") { _, _ in text("") }
        router.get("/-/ready") { _, _ in
            backend.isReady ? text("Vigil Server is Ready.\n") : text("Service Unavailable\n", .serviceUnavailable)
        }
        router.head("/-/ready") { _, _ in backend.isReady ? text("") : text("", .serviceUnavailable) }
        let reload: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in
            guard backend.settings.lifecycleEnabled else { return text("Lifecycle API is not enabled.\n", .forbidden) }
            switch await backend.reload() {
            case .success: return text("")
            case .failure(let message): return text("failed to reload config: \(message)\n", .internalServerError)
            }
        }
        router.post("/-/reload", use: reload)
        router.put("/-/reload", use: reload)
        let quit: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in
            guard backend.settings.lifecycleEnabled else { return text("Lifecycle API is not enabled.\n", .forbidden) }
            backend.quit()
            return text("Requesting termination... Goodbye!\n")
        }
        router.post("/-/quit", use: quit)
        router.put("/-/quit", use: quit)
    }

    static func addStatus(_ router: Router<VigilRequestContext>, _ backend: any APIBackend) {
        router.get("/api/v1/status/buildinfo") { _, _ in JSONResponse.success(backend.settings.buildInfo) }
        router.get("/api/v1/status/flags") { _, _ in JSONResponse.success(backend.settings.flags) }
        router.get("/api/v1/status/config") { _, _ -> Response in
            guard let config = backend.config else { return JSONResponse.error(.unavailable, "no configuration loaded") }
            return JSONResponse.success(["yaml": config.renderedYAML])
        }
        router.get("/api/v1/status/walreplay") { _, _ -> Response in
            let replay = backend.walReplay
            return JSONResponse.success(WALReplayDTO(min: replay.firstSegment, max: replay.lastSegment,
                                                     current: replay.currentSegment, state: replay.state.rawValue))
        }
        router.get("/api/v1/status/runtimeinfo") { _, _ -> Response in
            let reload = backend.lastReload
            return JSONResponse.success(RuntimeInfoDTO(
                startTime: APITime.format(backend.settings.startTime),
                CWD: FileManager.default.currentDirectoryPath,
                reloadConfigSuccess: reload.success,
                lastConfigTime: APITime.format(reload.at),
                corruptionCount: backend.storageCorruptions,
                goroutineCount: 0,
                GOMAXPROCS: ProcessInfo.processInfo.activeProcessorCount,
                GOGC: "",
                GODEBUG: "",
                storageRetention: backend.settings.flags["storage.tsdb.retention.time"] ?? ""))
        }
    }
}

/// `/api/v1/status/walreplay` data, as Prometheus names it: the first and last segment to replay,
/// the one being replayed, and `waiting`, `in progress` or `done`.
struct WALReplayDTO: Encodable {
    var min: Int
    var max: Int
    var current: Int
    var state: String
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
