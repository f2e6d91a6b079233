import Foundation
import Testing

/// `--web.config.file` with real clients: curl, promtool, amtool and Grafana-shaped requests
/// over TLS with basic auth, mutual TLS with client certificates, and reloads of the file.
@Suite(.serialized) struct WebSecurityIntegrationTests {
    static func hash(_ password: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Paths.vigil)
        p.arguments = ["hash-password", "--cost", "6"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(password.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw PeerError("vigil hash-password failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let selfScrape = "global: {scrape_interval: 1s}\n"

    /// Vigil behind `web`, ready once curl with `curlArgs` (CA, credentials, client
    /// certificate) gets 200 from `/-/ready`.
    static func start(web: String, extraArgs: [String] = [], curlArgs: [String]) async throws -> VigilInstance {
        try await VigilInstance(config: selfScrape, extraArgs: ["--web.config.file=" + web] + extraArgs) { port in
            (try? await Curl.request("https://127.0.0.1:\(port)/-/ready", curlArgs).status) == 200
        }
    }

    @Test func tlsAndBasicAuthGuardEveryEndpointForRealClients() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pki = try TestPKI(in: dir)
        let web = dir + "/web.yml"
        try """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
            http_server_config:
              headers:
                X-Frame-Options: deny
                Strict-Transport-Security: max-age=31536000
            basic_auth_users:
              alice: \(try Self.hash("alice-pw"))
            """.write(toFile: web, atomically: true, encoding: .utf8)
        let ca = pki.caCert
        let vigil = try await Self.start(web: web, extraArgs: ["--web.enable-lifecycle"], curlArgs: ["--cacert", ca, "-u", "alice:alice-pw"])
        let base = "https://127.0.0.1:\(vigil.port)"

        // No CA: curl refuses the server's certificate. Plain HTTP gets no answer.
        #expect(try await Curl.request(base + "/-/healthy").exitCode != 0)
        #expect(await HTTP.get("http://127.0.0.1:\(vigil.port)/-/healthy")?.status != 200)

        // Every kind of endpoint wants the password: no credentials, an unknown user and a wrong
        // password all get the same 401 with WWW-Authenticate, and the configured headers.
        let endpoints = ["/", "/-/healthy", "/metrics", "/api/v1/query?query=up", "/api/v2/status", "/grafana/json/", "/api/v1/status/config"]
        for path in endpoints {
            for credentials in [[], ["-u", "mallory:alice-pw"], ["-u", "alice:wrong"]] {
                let r = try await Curl.request(base + path, ["--cacert", ca] + credentials)
                #expect(r.status == 401, "\(path) \(credentials)")
                #expect(r.headers.lowercased().contains("www-authenticate: basic"), "\(path)")
                #expect(r.headers.lowercased().contains("x-frame-options: deny"))
                #expect(r.body == "Unauthorized\n")
            }
            let ok = try await Curl.request(base + path, ["--cacert", ca, "-u", "alice:alice-pw"])
            #expect(ok.status == 200, "\(path): \(ok.body)")
            #expect(ok.headers.lowercased().contains("strict-transport-security: max-age=31536000"))
        }
        #expect(try await Curl.request(base + "/api/v1/write", ["--cacert", ca, "-X", "POST", "--data-binary", "x"]).status == 401)
        #expect(try await Curl.request(base + "/-/reload", ["--cacert", ca, "-X", "POST"]).status == 401)

        // Grafana's JSON datasource, as Grafana sends it with basic auth.
        let grafana = try await Curl.request(base + "/grafana/json/query", [
            "--cacert", ca, "-u", "alice:alice-pw", "-H", "Content-Type: application/json", "--data",
            #"{"range":{"from":"2026-01-01T00:00:00Z","to":"2026-01-01T00:05:00Z"},"intervalMs":60000,"targets":[{"refId":"A","target":"vector(1)"}]}"#,
        ])
        #expect(grafana.status == 200, "\(grafana.body)")
        #expect(grafana.body.contains("datapoints"), "\(grafana.body)")

        // amtool with an http_config file, as users configure it. Debian's promtool (2.42) has no
        // --http.config.file yet: it takes the CA from SSL_CERT_FILE and credentials from the URL.
        let client = dir + "/client.yml"
        try "basic_auth: {username: alice, password: alice-pw}\ntls_config: {ca_file: \(ca)}\n".write(toFile: client, atomically: true, encoding: .utf8)
        let amtool = try runTool("/usr/bin/amtool", ["--alertmanager.url=" + base, "--http.config.file=" + client, "config", "show"])
        #expect(amtool.status == 0 && amtool.output.contains("route"), "\(amtool.output)")
        let wrongClient = dir + "/wrong.yml"
        try "basic_auth: {username: alice, password: nope}\ntls_config: {ca_file: \(ca)}\n".write(toFile: wrongClient, atomically: true, encoding: .utf8)
        #expect(try runTool("/usr/bin/amtool", ["--alertmanager.url=" + base, "--http.config.file=" + wrongClient, "config", "show"]).status != 0)
        let withPassword = "https://alice:alice-pw@127.0.0.1:\(vigil.port)"
        let promtool = try runTool("/usr/bin/env", ["SSL_CERT_FILE=" + ca, "/usr/bin/promtool", "query", "instant", withPassword, "vector(42)"])
        #expect(promtool.status == 0 && promtool.output.contains("42"), "\(promtool.output)")
        let wrongPassword = "https://alice:nope@127.0.0.1:\(vigil.port)"
        #expect(try runTool("/usr/bin/env", ["SSL_CERT_FILE=" + ca, "/usr/bin/promtool", "query", "instant", wrongPassword, "vector(42)"]).status != 0)
        #expect(try runTool("/usr/bin/promtool", ["query", "instant", withPassword, "vector(42)"]).status != 0, "the CA is needed")

        // The file is re-read on change: bob replaces alice.
        try """
            tls_server_config: {cert_file: server.crt, key_file: server.key}
            basic_auth_users:
              bob: \(try Self.hash("bob-pw"))
            """.write(toFile: web, atomically: true, encoding: .utf8)
        #expect(await eventually(timeout: .seconds(10)) {
            (try? await Curl.request(base + "/-/healthy", ["--cacert", ca, "-u", "bob:bob-pw"]).status) == 200
        })
        #expect(try await Curl.request(base + "/-/healthy", ["--cacert", ca, "-u", "alice:alice-pw"]).status == 401)

        // A broken change is refused and logged; bob keeps working, nobody else gets in.
        try "basic_auth_users:\n  bob: not-a-bcrypt-hash\n".write(toFile: web, atomically: true, encoding: .utf8)
        #expect(await eventually(timeout: .seconds(10)) { vigil.process.log.contains("not valid; keeping the last good one") })
        #expect(try await Curl.request(base + "/-/healthy", ["--cacert", ca, "-u", "bob:bob-pw"]).status == 200)
        #expect(try await Curl.request(base + "/-/healthy", ["--cacert", ca]).status == 401)
        #expect(!vigil.process.log.contains("bob-pw") && !vigil.process.log.contains("alice-pw"))
    }

    @Test func mutualTLSAdmitsOnlyClientCertificatesFromTheCAWithAnAllowedSAN() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pki = try TestPKI(in: dir)
        let web = dir + "/web.yml"
        try """
            tls_server_config:
              cert_file: \(pki.serverCert)
              key_file: \(pki.serverKey)
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: \(pki.caCert)
              client_allowed_sans: [grafana.test]
              min_version: TLS12
            """.write(toFile: web, atomically: true, encoding: .utf8)
        let ca = pki.caCert, cert = pki.clientCert, key = pki.clientKey
        let vigil = try await Self.start(web: web, curlArgs: ["--cacert", ca, "--cert", cert, "--key", key])
        let url = "https://127.0.0.1:\(vigil.port)/api/v1/query?query=vector(7)"
        let ok = try await Curl.request(url, ["--cacert", ca, "--cert", cert, "--key", key])
        #expect(ok.status == 200 && ok.body.contains("\"7\""), "\(ok.body)")
        // No certificate, one from another CA, or one of the CA without an allowed SAN: no answer.
        #expect(try await Curl.request(url, ["--cacert", ca]).status == 0)
        #expect(try await Curl.request(url, ["--cacert", ca, "--cert", pki.rogueClientCert, "--key", pki.rogueClientKey]).status == 0)
        #expect(try await Curl.request(url, ["--cacert", ca, "--cert", pki.otherClientCert, "--key", pki.otherClientKey]).status == 0)
        #expect(await eventually(timeout: .seconds(5)) { vigil.process.log.contains("none of its SANs is in client_allowed_sans") })
        // TLS 1.1 is below min_version.
        #expect(try await Curl.request(url, ["--cacert", ca, "--cert", cert, "--key", key, "--tls-max", "1.1"]).status == 0)
        // amtool with a client certificate in its http_config file; without one it is refused.
        let client = dir + "/client.yml"
        try "tls_config: {ca_file: \(ca), cert_file: \(cert), key_file: \(key)}\n".write(toFile: client, atomically: true, encoding: .utf8)
        let amtool = try runTool("/usr/bin/amtool", ["--alertmanager.url=https://127.0.0.1:\(vigil.port)", "--http.config.file=" + client, "silence", "query"])
        #expect(amtool.status == 0, "\(amtool.output)")
        let noCert = dir + "/nocert.yml"
        try "tls_config: {ca_file: \(ca)}\n".write(toFile: noCert, atomically: true, encoding: .utf8)
        #expect(try runTool("/usr/bin/amtool", ["--alertmanager.url=https://127.0.0.1:\(vigil.port)", "--http.config.file=" + noCert, "silence", "query"]).status != 0)
    }

    @Test func aBrokenWebConfigStopsTheStartWithItsLine() throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let web = dir + "/web.yml"
        try "basic_auth_users:\n  alice: plaintext-password\n".write(toFile: web, atomically: true, encoding: .utf8)
        let check = try runTool(Paths.vigil, ["check", "web-config", web])
        #expect(check.status == 1 && check.output.contains("web.yml:2"), "\(check.output)")
        let start = try runTool(Paths.vigil, ["--web.config.file=" + web, "--storage.tsdb.path=" + dir + "/data",
                                              "--web.listen-address=127.0.0.1:\(freePort())"])
        #expect(start.status != 0)
        #expect(start.output.contains("not a bcrypt hash"), "\(start.output)")
        #expect(try runTool(Paths.vigil, ["check", "web-config", Paths.repoRoot.appendingPathComponent("configs/web.yml").path]).status == 0)
    }
}
