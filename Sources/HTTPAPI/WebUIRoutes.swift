import Foundation
import Hummingbird
import NIOCore

extension APIRoutes {
    /// The built-in web UI: one page and its script and style, compiled into the binary (no
    /// external assets), plus the Grafana dashboards it draws, read from the dashboards folder.
    /// `landingPage` is the view a visit without a `#/…` path opens.
    static func addWebUI(_ router: Router<VigilRequestContext>, _ backend: any APIBackend, landingPage: String) {
        let html = landingPage == "graph" ? PackageResources.index_html
            : Array(String(decoding: PackageResources.index_html, as: UTF8.self)
                .replacingOccurrences(of: "<body>", with: "<body data-landing=\"\(landingPage)\">").utf8)
        let page: @Sendable (Request, VigilRequestContext) async -> Response = { _, _ in
            asset(html, "text/html; charset=utf-8")
        }
        router.get("/", use: page)
        router.get("/graph", use: page)
        router.get("/ui/app.js") { _, _ in asset(PackageResources.app_js, "text/javascript; charset=utf-8") }
        router.get("/ui/style.css") { _, _ in asset(PackageResources.style_css, "text/css; charset=utf-8") }

        router.get("/api/vigil/dashboards") { _, _ -> Response in
            var w = JSONWriter()
            w.stringObjects(DashboardFolder(path: backend.settings.dashboardsDirectory).entries()) { ["uid": $0.uid, "title": $0.title, "file": $0.file] }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: w.buffer))
        }
        router.get("/api/vigil/dashboards/:uid") { _, context -> Response in
            let uid = context.parameters.get("uid") ?? ""
            guard let data = DashboardFolder(path: backend.settings.dashboardsDirectory).dashboard(uid: uid) else {
                return JSONResponse.error(.notFound, "no dashboard with uid \(uid)")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    private static func asset(_ bytes: [UInt8], _ type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The Grafana dashboard JSON files of a folder, found by their `uid`.
struct DashboardFolder {
    let path: String

    struct Entry {
        var uid: String
        var title: String
        var file: String
        var data: Data
    }

    /// The dashboards of the folder, by file name; files that are not dashboards are passed over.
    func entries() -> [Entry] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.sorted().compactMap { file in
            guard let data = FileManager.default.contents(atPath: (path as NSString).appendingPathComponent(file)),
                  let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                  obj["panels"] is [Any] else { return nil }
            let uid = obj["uid"] as? String ?? String(file.dropLast(5))
            return Entry(uid: uid, title: obj["title"] as? String ?? uid, file: file, data: data)
        }
    }

    func dashboard(uid: String) -> Data? { entries().first { $0.uid == uid }?.data }
}
