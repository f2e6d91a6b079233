import Foundation
import Testing

/// Requests that used to crash the whole server (overflowing conversions, negative counts,
/// unbounded recursion) now get Prometheus' `bad_data` error, and the server carries on.
@Suite(.serialized) struct HostileInputIntegrationTests {
    static func form(_ query: String) -> String {
        query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    @Test func badParametersAndQueriesGetBadDataAndTheServerStaysUp() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n")
        let b = vigil.base
        let deep = String(repeating: "(", count: 200_000) + "up" + String(repeating: ")", count: 200_000)
        let gets = [
            "/api/v1/query?query=" + Self.form("up[1e300]"),
            "/api/v1/query?query=" + Self.form("up offset 1e300"),
            "/api/v1/query?query=" + Self.form("up[0xFFFFFFFFFFFFFFFF]"),
            "/api/v1/query?query=" + Self.form("up[1m:106751991167d]"),
            "/api/v1/query?query=" + Self.form("up @ 1e300"),
            "/api/v1/query?query=up&time=1e300",
            "/api/v1/query?query=up&limit=-1",
            "/api/v1/query_range?query=up&start=-9.1e15&end=9.1e15&step=1",
            "/api/v1/query_range?query=up&start=0&end=100&step=1e300",
            "/api/v1/query_range?query=up&start=0&end=100&step=106751991167d",
            "/api/v1/series?match[]=up&start=-1e300",
            "/api/v1/labels?limit=-1",
            "/api/v1/label/job/values?limit=-7",
            "/api/v1/status/tsdb?limit=-1",
            "/api/v1/status/tsdb?limit=0",
        ]
        for path in gets {
            let r = try await HTTP.request(b + path)
            #expect(r.status == 400, "\(path): \(r.status) \(r.body)")
            #expect(r.body.contains("bad_data"), "\(path): \(r.body)")
        }
        let posted = try await HTTP.request(b + "/api/v1/query", method: "POST", body: nil)
        #expect(posted.status == 400)
        let nested = try await HTTP.request(b + "/api/v1/query", method: "POST", body: "query=" + Self.form(deep),
                                            contentType: "application/x-www-form-urlencoded", timeout: .seconds(30))
        #expect(nested.status == 400 && nested.body.contains("nested too deeply"), "\(nested.body.prefix(200))")
        let grafana = [
            #"{"range":{"from":"2026-01-01T00:00:00Z","to":"2026-01-01T01:00:00Z"},"intervalMs":1e300,"targets":[{"target":"up"}]}"#,
            #"{"range":{"from":"2026-01-01T00:00:00Z","to":"2026-01-01T01:00:00Z"},"intervalMs":-5,"targets":[{"target":"up"}]}"#,
            #"{"range":{"from":"-292273086-05-16T16:47:06Z","to":"292277026-12-04T15:30:07Z"},"targets":[{"target":"up"}]}"#,
        ]
        for body in grafana {
            let r = try await HTTP.request(b + "/grafana/json/query", method: "POST", body: body)
            #expect(r.status == 400, "\(body): \(r.status) \(r.body)")
        }
        let healthy = try await HTTP.request(b + "/-/healthy")
        #expect(healthy.status == 200)
        let fine = try await HTTP.request(b + "/api/v1/query?query=1%2B1")
        #expect(fine.body.contains("\"2\""))
    }
}
