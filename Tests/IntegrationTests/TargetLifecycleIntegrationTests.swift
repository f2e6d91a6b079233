import Foundation
import Testing

/// Authentication, limits and targets coming and going, end to end.
@Suite(.serialized) struct TargetLifecycleIntegrationTests {
    static func job(_ name: String, _ port: Int, extra: String = "") -> String {
        "  - job_name: \(name)\n\(extra)    static_configs:\n      - targets: ['127.0.0.1:\(port)']\n"
    }

    static let header = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"

    @Test func basicAuthFromAPasswordFile() async throws {
        let (api, port) = try await startModelAPI(rate: 0, basicAuth: "scraper:s3cret")
        defer { _ = api }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "s3cret\n".write(toFile: dir + "/password", atomically: true, encoding: .utf8)
        let config = Self.header
            + Self.job("with-auth", port, extra: "    basic_auth:\n      username: scraper\n      password_file: \(dir)/password\n")
            + Self.job("without-auth", port)
        let vigil = try await VigilInstance(config: config)
        let settled = try await eventually {
            let a = try await vigil.health(of: "with-auth")
            let b = try await vigil.health(of: "without-auth")
            return a == "up" && b == "down"
        }
        #expect(settled)
        let noAuth = try await vigil.activeTargets().first { ($0["scrapePool"] as? String) == "without-auth" }
        #expect((noAuth?["lastError"] as? String)?.contains("401") == true)
    }

    @Test func bodySizeLimitFailsTheScrapeWithTheReason() async throws {
        let (node, port) = try await startNodeExporter()
        defer { _ = node }
        let vigil = try await VigilInstance(config: Self.header + Self.job("node", port, extra: "    body_size_limit: 1KB\n"))
        let failed = try await eventually {
            let t = try await vigil.activeTargets().first
            return t?["health"] as? String == "down" && (t?["lastError"] as? String)?.contains("body size limit exceeded") == true
        }
        #expect(failed)
    }

    @Test func fileDiscoveryPicksUpNewTargetsAndRemovedOnesGoStale() async throws {
        let (a, portA) = try await startModelAPI(rate: 5)
        let (b, portB) = try await startModelAPI(rate: 5)
        defer { _ = (a, b) }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sdFile = dir + "/targets.json"
        try "[{\"targets\": [\"127.0.0.1:\(portA)\"], \"labels\": {\"env\": \"prod\"}}]".write(toFile: sdFile, atomically: true, encoding: .utf8)
        let config = Self.header + "  - job_name: sd\n    file_sd_configs:\n      - files: ['\(dir)/*.json']\n"
        let vigil = try await VigilInstance(config: config)
        #expect(try await eventually { try await vigil.activeTargets().count == 1 })

        // Add the second target, then remove the first.
        try "[{\"targets\": [\"127.0.0.1:\(portA)\", \"127.0.0.1:\(portB)\"], \"labels\": {\"env\": \"prod\"}}]"
            .write(toFile: sdFile, atomically: true, encoding: .utf8)
        #expect(try await eventually(timeout: .seconds(15)) {
            let t = try await vigil.activeTargets()
            return t.count == 2 && t.allSatisfy { $0["health"] as? String == "up" }
        })
        let labels = try #require(try await vigil.activeTargets().first?["labels"] as? [String: String])
        #expect(labels["env"] == "prod")
        try await Task.sleep(for: .seconds(2))
        try "[{\"targets\": [\"127.0.0.1:\(portB)\"]}]".write(toFile: sdFile, atomically: true, encoding: .utf8)
        #expect(try await eventually(timeout: .seconds(15)) { try await vigil.activeTargets().count == 1 })
        try await Task.sleep(for: .seconds(1))

        let removed = try vigil.dump(["instance=127.0.0.1:\(portA)", "__name__=python_request_operations_total"])
        #expect(removed.last?.isStale == true, "the removed target's series must end with a staleness marker")
        let kept = try vigil.dump(["instance=127.0.0.1:\(portB)", "__name__=python_request_operations_total"])
        #expect(kept.last.map { !$0.isStale } == true)
    }

    @Test func reloadThatRemovesAJobMarksItsSeriesStale() async throws {
        let (api, port) = try await startModelAPI(rate: 5)
        defer { _ = api }
        let vigil = try await VigilInstance(config: Self.header + Self.job("gone", port) + Self.job("kept", port),
                                            extraArgs: ["--web.enable-lifecycle"])
        _ = try await eventually { try await vigil.health(of: "gone") == "up" }
        try await Task.sleep(for: .seconds(2))
        try (Self.header + Self.job("kept", port)).write(toFile: vigil.configPath, atomically: true, encoding: .utf8)
        #expect(try await HTTP.request(vigil.base + "/-/reload", method: "POST").status == 200)
        #expect(try await vigil.health(of: "gone") == nil)
        let up = try vigil.dump(["job=gone", "__name__=up"])
        #expect(up.last?.isStale == true)
        let kept = try await vigil.health(of: "kept")
        #expect(kept == "up")
    }
}

/// HTTPS targets, limits across targets, and scrape configs split over files.
@Suite(.serialized) struct TLSAndLimitsIntegrationTests {
    /// A self-signed certificate for 127.0.0.1, made with openssl.
    static func selfSignedCertificate(in dir: String) throws -> (cert: String, key: String) {
        let cert = dir + "/cert.pem", key = dir + "/key.pem"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                       "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw PeerError("openssl failed") }
        return (cert, key)
    }

    @Test func scrapesHTTPSTargetsWithATrustedCAAndRefusesUntrustedOnes() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tls = try Self.selfSignedCertificate(in: dir)
        let (api, port) = try await startModelAPI(rate: 1, tls: tls)
        defer { _ = api }
        let config = TargetLifecycleIntegrationTests.header
            + TargetLifecycleIntegrationTests.job("trusted", port, extra: "    scheme: https\n    tls_config:\n      ca_file: \(tls.cert)\n")
            + TargetLifecycleIntegrationTests.job("insecure", port, extra: "    scheme: https\n    tls_config:\n      insecure_skip_verify: true\n")
            + TargetLifecycleIntegrationTests.job("untrusted", port, extra: "    scheme: https\n")
        let vigil = try await VigilInstance(config: config)
        let settled = try await eventually {
            let a = try await vigil.health(of: "trusted")
            let b = try await vigil.health(of: "insecure")
            let c = try await vigil.health(of: "untrusted")
            return a == "up" && b == "up" && c == "down"
        }
        let targets = try await vigil.activeTargets()
        #expect(settled, "\(targets)")
    }

    @Test func targetLimitFailsEveryScrapeOfTheJob() async throws {
        let (api, port) = try await startModelAPI(rate: 0)
        defer { _ = api }
        let config = TargetLifecycleIntegrationTests.header
            + "  - job_name: limited\n    target_limit: 1\n    static_configs:\n      - targets: ['127.0.0.1:\(port)', 'localhost:\(port)']\n"
        let vigil = try await VigilInstance(config: config)
        let failed = try await eventually {
            let targets = try await vigil.activeTargets()
            return targets.count == 2 && targets.allSatisfy { ($0["lastError"] as? String)?.contains("target_limit exceeded") == true }
        }
        #expect(failed)
    }

    @Test func scrapeConfigFilesAreLoadedRelativeToTheMainFile() async throws {
        let (api, port) = try await startModelAPI(rate: 0)
        defer { _ = api }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/jobs", withIntermediateDirectories: true)
        try ("scrape_configs:\n" + TargetLifecycleIntegrationTests.job("from-file", port))
            .write(toFile: dir + "/jobs/api.yml", atomically: true, encoding: .utf8)
        let vigil = try await VigilInstance(config: "global:\n  scrape_interval: 1s\nscrape_config_files: ['jobs/*.yml']\n", dir: dir)
        #expect(try await eventually { try await vigil.health(of: "from-file") == "up" })
    }
}
