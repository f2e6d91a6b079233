import Foundation
import Testing

/// `--web.enable-admin-api`: off by default; on, a snapshot is a backup Vigil can read back.
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
        let delete = try await HTTP.request(vigil.base + "/api/v1/admin/tsdb/delete_series?match[]=crash_test", method: "POST")
        #expect(delete.status == 501 && delete.body.contains("not supported by Vigil yet"), "\(delete.body)")
    }
}
