import Foundation
import Testing

/// HTTP and DNS service discovery against real servers: a Python HTTP SD endpoint with basic
/// auth, and Debian's dnsmasq answering SRV and A records, which Vigil finds through the
/// `/etc/resolv.conf` of its own mount namespace exactly as it would in a cluster.
@Suite(.serialized) struct DiscoveryIntegrationTests {
    /// The targets of one job as `/api/v1/targets` lists them.
    static func targets(_ vigil: VigilInstance, job: String) async throws -> [[String: Any]] {
        try await vigil.activeTargets().filter { ($0["scrapePool"] as? String) == job }
    }

    static func labels(_ target: [String: Any]) -> [String: String] { target["labels"] as? [String: String] ?? [:] }
    static func discovered(_ target: [String: Any]) -> [String: String] { target["discoveredLabels"] as? [String: String] ?? [:] }

    @Test func httpDiscoveryFollowsTheEndpointAndKeepsTargetsThroughAnOutage() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (api, apiPort) = try await startModelAPI()
        defer { _ = api }
        let targetsFile = dir + "/targets.json"
        try #"[{"targets": ["127.0.0.1:\#(apiPort)"], "labels": {"team": "ml", "__meta_model": "churn"}}]"#
            .write(toFile: targetsFile, atomically: true, encoding: .utf8)
        let sdPort = freePort()
        let sd = try ChildProcess(name: "http-sd", executable: "/usr/bin/python3", arguments: [Paths.httpSDServer, "\(sdPort)", targetsFile, "sd:s3cret"])
        #expect(await eventually(timeout: .seconds(10)) { sd.log.contains("listening") })
        let vigil = try await VigilInstance(config: """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: models
                http_sd_configs:
                  - url: http://127.0.0.1:\(sdPort)/targets
                    refresh_interval: 1s
                    basic_auth: {username: sd, password: s3cret}
                relabel_configs:
                  - source_labels: [__meta_model]
                    target_label: model
            """)
        // Discovered, relabeled from the endpoint's labels, and scraped.
        let found = try await eventually(timeout: .seconds(20)) {
            try await Self.targets(vigil, job: "models").first { ($0["health"] as? String) == "up" } != nil
        }
        #expect(found, "\(vigil.process.log.suffix(1500))\n\(sd.log.suffix(500))")
        let target = try #require(try await Self.targets(vigil, job: "models").first)
        #expect(Self.labels(target)["team"] == "ml")
        #expect(Self.labels(target)["model"] == "churn")
        #expect(Self.discovered(target)["__meta_url"] == "http://127.0.0.1:\(sdPort)/targets")
        #expect(sd.log.contains("refresh=1"), "the refresh interval is sent")

        // An outage keeps the targets; it is counted.
        FileManager.default.createFile(atPath: targetsFile + ".fail", contents: Data())
        #expect(await eventually(timeout: .seconds(10)) { (await vigil.metric(#"vigil_sd_refresh_failures_total{mechanism="http"}"#) ?? 0) >= 2 })
        #expect(try await Self.targets(vigil, job: "models").count == 1)
        #expect(vigil.process.log.contains("HTTP service discovery failed"))

        // The endpoint's list changes: the target goes, a new one comes.
        try FileManager.default.removeItem(atPath: targetsFile + ".fail")
        try #"[{"targets": ["127.0.0.1:1"], "labels": {"team": "data"}}]"#.write(toFile: targetsFile, atomically: true, encoding: .utf8)
        let moved = try await eventually(timeout: .seconds(10)) {
            let now = try await Self.targets(vigil, job: "models")
            return now.count == 1 && Self.labels(now[0])["instance"] == "127.0.0.1:1"
        }
        #expect(moved)
    }

    @Test func dnsDiscoveryFindsSRVAndAddressRecordsThroughTheSystemResolver() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (api, apiPort) = try await startModelAPI()
        defer { _ = api }
        // dnsmasq on a loopback address of its own; only Vigil's namespace uses it as its resolver.
        let dnsAddress = "127.0.0.\(Int.random(in: 100...200))"
        func startDNS(srvTarget: String) async throws -> DNSServer {
            try await DNSServer(address: dnsAddress, dir: dir, records: [
                "--srv-host=_metrics._tcp.vigil.test,\(srvTarget),\(apiPort)",
                "--host-record=api.vigil.test,127.0.0.1", "--host-record=api2.vigil.test,127.0.0.1",
            ])
        }
        var dns = try await startDNS(srvTarget: "api.vigil.test")
        try "nameserver \(dnsAddress)\nsearch vigil.test\noptions timeout:1 attempts:1\n".write(toFile: dir + "/resolv.conf", atomically: true, encoding: .utf8)
        let namespace = try await MountNamespace.resolvConf(dir + "/resolv.conf")
        let vigil = try await VigilInstance(config: """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: srv
                dns_sd_configs: [{names: ['_metrics._tcp.vigil.test'], refresh_interval: 1s}]
                relabel_configs:
                  - source_labels: [__meta_dns_srv_record_target]
                    target_label: srv_target
              - job_name: address
                # A relative name: completed through the search domain, as the system resolver does.
                dns_sd_configs: [{names: ['api'], type: A, port: \(apiPort), refresh_interval: 1s}]
              - job_name: missing
                dns_sd_configs: [{names: ['nope.vigil.test'], type: A, port: 1, refresh_interval: 1s}]
            """, dir: dir, namespace: namespace)

        // The SRV target is a host name, which the scrape resolves through the same resolver.
        let srvUp = try await eventually(timeout: .seconds(20)) {
            try await Self.targets(vigil, job: "srv").first { ($0["health"] as? String) == "up" } != nil
        }
        #expect(srvUp, "\(vigil.process.log.suffix(1500))\n\(dns.log.suffix(1500))")
        let srv = try #require(try await Self.targets(vigil, job: "srv").first)
        #expect(Self.labels(srv)["instance"] == "api.vigil.test:\(apiPort)")
        #expect(Self.labels(srv)["srv_target"] == "api.vigil.test")
        #expect(Self.discovered(srv)["__meta_dns_name"] == "_metrics._tcp.vigil.test")
        #expect(Self.discovered(srv)["__meta_dns_srv_record_port"] == "\(apiPort)")
        let addressUp = try await eventually(timeout: .seconds(20)) {
            try await Self.targets(vigil, job: "address").first { ($0["health"] as? String) == "up" } != nil
        }
        #expect(addressUp)
        #expect(try await Self.targets(vigil, job: "address").first.map { Self.labels($0)["instance"] } == "127.0.0.1:\(apiPort)")
        #expect(try await Self.targets(vigil, job: "missing").isEmpty, "a name that does not exist has no targets")

        // The DNS server goes away: the targets stay, and the failures are counted.
        await dns.stop()
        #expect(await eventually(timeout: .seconds(15)) { (await vigil.metric(#"vigil_sd_refresh_failures_total{mechanism="dns"}"#) ?? 0) >= 1 })
        #expect(try await Self.targets(vigil, job: "srv").count == 1)

        // It comes back with the SRV record pointing elsewhere: the target follows.
        dns = try await startDNS(srvTarget: "api2.vigil.test")
        let moved = try await eventually(timeout: .seconds(20)) {
            let now = try await Self.targets(vigil, job: "srv")
            return now.count == 1 && Self.labels(now[0])["srv_target"] == "api2.vigil.test" && (now[0]["health"] as? String) == "up"
        }
        #expect(moved, "\(vigil.process.log.suffix(1500))")
    }
}
