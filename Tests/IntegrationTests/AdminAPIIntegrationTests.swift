import Foundation
import Testing

/// `--web.enable-admin-api`: off by default; on, a snapshot is a backup Vigil and promtool read
/// back, and series can be deleted.
@Suite(.serialized) struct AdminAPIIntegrationTests {
    static let config = "global: {scrape_interval: 1s}\nscrape_configs: []\n"

    @Test func adminEndpointsAreOffByDefault() async throws {
        let vigil = try await VigilInstance(config: Self.config)
        for path in ["/api/v1/admin/tsdb/snapshot", "/api/v1/admin/tsdb/delete_series?match[]=up"] {
            let r = try await HTTP.request(vigil.base + path, method: "POST")
            #expect(r.status == 503, "\(path): \(r.body)")
            #expect(r.body.contains("admin APIs disabled"))
        }
        #expect(!FileManager.default.fileExists(atPath: vigil.dir + "/data/snapshots"))
    }

    @Test func aSnapshotIsABackupVigilReadsBack() async throws {
        let vigil = try await VigilInstance(config: Self.config, extraArgs: ["--web.enable-admin-api", "--web.enable-remote-write-receiver"])
        // Samples stored by remote write for two seconds, each request acknowledged.
        let acks = vigil.dir + "/acks.txt"
        let sender = try ChildProcess(name: "sender", executable: "/usr/bin/python3",
                                      arguments: [Paths.remoteWriteSender, "\(vigil.port)", acks, "2"])
        _ = await sender.waitForExit(timeout: .seconds(20))
        let sent = (try String(contentsOfFile: acks, encoding: .utf8)).split(separator: "\n").count
        #expect(sent > 0)
        let r = try await HTTP.request(vigil.base + "/api/v1/admin/tsdb/snapshot", method: "POST")
        #expect(r.status == 200, "\(r.body)")
        let name = try #require(((r.json as? [String: Any])?["data"] as? [String: Any])?["name"] as? String)
        let dump = try runTool(Paths.vigil, ["tsdb", "dump", "--storage.tsdb.path=\(vigil.dir)/data/snapshots/\(name)", "--match", "__name__=crash_test"])
        let samples = dump.output.split(separator: "\n").compactMap(DumpedSample.init)
        #expect(samples.count == sent * 20, "\(dump.output.prefix(300))")
        // The snapshot is a Prometheus data directory: promtool reads the same samples.
        let promtool = try await runToolAsync("/usr/bin/promtool", ["tsdb", "dump", "\(vigil.dir)/data/snapshots/\(name)"])
        #expect(promtool.status == 0, "\(promtool.output.suffix(500))")
        #expect(promtool.output.split(separator: "\n").filter { $0.hasPrefix("{__name__=\"crash_test\"") }.count == sent * 20)

        // Delete one series of the twenty (their samples are an hour old), then clean up: it is
        // gone, the others stay.
        let before = try await Self.count(vigil, "count(count_over_time(crash_test[2h]))")
        #expect(before == 20)
        let delete = try await HTTP.request(vigil.base + "/api/v1/admin/tsdb/delete_series?match%5B%5D=" + "crash_test{s=\"3\"}".urlQueryEncoded, method: "POST")
        #expect(delete.status == 204, "\(delete.body)")
        #expect(try await Self.count(vigil, "count(count_over_time(crash_test[2h]))") == 19)
        let clean = try await HTTP.request(vigil.base + "/api/v1/admin/tsdb/clean_tombstones", method: "POST")
        #expect(clean.status == 204, "\(clean.body)")
        let bad = try await HTTP.request(vigil.base + "/api/v1/admin/tsdb/delete_series", method: "POST")
        #expect(bad.status == 400 && bad.body.contains("match[]"), "\(bad.body)")
    }

    /// The single value of an instant query.
    static func count(_ vigil: VigilInstance, _ query: String) async throws -> Double? {
        let reply = try await HTTP.request(vigil.base + "/api/v1/query?query=" + query.urlQueryEncoded)
        let result = ((reply.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [[String: Any]]
        return ((result?.first?["value"] as? [Any])?.last as? String).flatMap(Double.init)
    }
}
