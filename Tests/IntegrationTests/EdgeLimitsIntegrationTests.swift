import Foundation
import Testing

/// Limits at the edge: request bodies, browser origins (CORS), connections and waiting queries.
@Suite(.serialized) struct EdgeLimitsIntegrationTests {
    @Test func anOversizedFormBodyGets413AndTheServerCarriesOn() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n")
        let body = "query=" + String(repeating: "1", count: 9 << 20)
        let r = try await HTTP.request(vigil.base + "/api/v1/query", method: "POST", body: body,
                                       contentType: "application/x-www-form-urlencoded", timeout: .seconds(30))
        #expect(r.status == 413)
        #expect(try await HTTP.request(vigil.base + "/api/v1/query?query=1").status == 200)
    }

    @Test func corsAllowsOnlyMatchingOriginsOnTheAPI() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: [#"--web.cors.origin=https://grafana\.example\.org"#])
        let allowed = try await Curl.request(vigil.base + "/api/v1/query?query=1", ["-H", "Origin: https://grafana.example.org"])
        #expect(allowed.status == 200)
        #expect(allowed.headers.lowercased().contains("access-control-allow-origin: https://grafana.example.org"))
        let preflight = try await Curl.request(vigil.base + "/api/v1/query", ["-X", "OPTIONS", "-H", "Origin: https://grafana.example.org",
                                                                        "-H", "Access-Control-Request-Method: POST"])
        #expect(preflight.status == 200)
        #expect(preflight.headers.lowercased().contains("access-control-allow-methods:"))
        let other = try await Curl.request(vigil.base + "/api/v1/query?query=1", ["-H", "Origin: https://evil.example.org"])
        #expect(other.status == 200)
        #expect(!other.headers.lowercased().contains("access-control-allow-origin"))
        // A prefix of an allowed origin is not allowed: the regex is anchored.
        let longer = try await Curl.request(vigil.base + "/api/v1/query?query=1", ["-H", "Origin: https://grafana.example.org.evil.net"])
        #expect(!longer.headers.lowercased().contains("access-control-allow-origin"))
    }

    @Test func connectionsBeyondTheLimitWaitUntilOneCloses() async throws {
        // Readiness through curl: the shared HTTP client would keep a pooled connection open.
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.max-connections=2"]) { port in
            (try? await Curl.request("http://127.0.0.1:\(port)/-/ready").status) == 200
        }
        // Two idle connections hold both slots; a third request waits, then is served once one closes.
        let script = """
            import socket, time
            port = \(vigil.port)
            held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
            time.sleep(0.5)
            waiting = socket.create_connection(("127.0.0.1", port))
            waiting.sendall(b"GET /-/healthy HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
            waiting.settimeout(2)
            try:
                waiting.recv(100)
                print("served-while-full")
            except socket.timeout:
                print("waited")
            held[0].close()
            waiting.settimeout(10)
            print("served" if b" 200 " in waiting.recv(100) else "not-served")
            """
        let result = try await runToolAsync("/usr/bin/python3", ["-c", script])
        #expect(result.output.contains("waited") && result.output.contains("served\n"), "\(result.output)")
    }

    @Test func idleConnectionsAreClosedAfterTheReadTimeout() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--web.read-timeout=2s"])
        let script = """
            import socket, time
            s = socket.create_connection(("127.0.0.1", \(vigil.port)))
            s.settimeout(10)
            start = time.time()
            print("closed" if s.recv(10) == b"" else "data")
            print("after", round(time.time() - start))
            """
        let result = try await runToolAsync("/usr/bin/python3", ["-c", script])
        #expect(result.output.contains("closed"), "\(result.output)")
    }

    @Test func queriesBeyondTheQueueGet503AtOnce() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n", extraArgs: ["--query.max-concurrency=1", "--query.max-queue=0"])
        let slow = "/api/v1/query?query=" + HostileInputIntegrationTests.form("count_over_time(vector(1)[90d:1s])")
        let first = Task { try await HTTP.request(vigil.base + slow, timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        let second = try await HTTP.request(vigil.base + "/api/v1/query?query=1")
        #expect(second.status == 503, "\(second.body)")
        #expect(second.body.contains("\"errorType\":\"unavailable\""), "\(second.body)")
        #expect(start.duration(to: .now) < .seconds(1))
        let firstReply = try await first.value
        #expect(firstReply.status == 200, "the running query finishes: \(firstReply.body.prefix(200))")
        #expect(try await HTTP.request(vigil.base + "/api/v1/query?query=1").status == 200)
    }
}
