import Foundation
import Testing

/// Times in requests — the query API's `time`, Alertmanager API v2's `startsAt` — get the verdict
/// the real Prometheus and the real Alertmanager (Debian's) give the same text: the same time
/// when taken, a 400 when refused, and never a crash (a long fraction once took Vigil down inside
/// ICU's date parser).
@Suite(.serialized) struct TimeParameterIntegrationTests {
    static let texts = [
        "2023-11-14T22:13:20Z", "2023-11-14T22:13:20.250Z", "2023-11-14T22:13:20.123456789Z", "2023-11-14T22:13:20,5Z",
        "2023-11-14T22:13:20+02:00", "2023-11-14T22:13:20-00:00", "2023-11-14T22:13:20+24:30", "2023-11-14T22:13:20+23:60",
        "2024-02-29T00:00:00Z", "2023-11-14T22:13:20.123+0100",
        "2023-11-14T22:13:20", "2023-11-14T22:13:20.123456", "2023-11-14T22:13Z", "2023-11-14T22:13", "2023-11-14 22:13:20",
        "2023-11-14T22:13:20.1234567891234Z", "2023-11-14T22:13:02." + String(repeating: "2", count: 120) + "3Z",
        "2023-02-29T00:00:00Z", "2023-11-14T22:13:60Z", "2023-11-14t22:13:20z", "2023-11-14T22:13:20+0000",
        "2023-11-14T22:13:20.Z", "2023-11-14 22:13:20Z", "2023-11-14T22:13:20+01", "2023-11-14", "+2023-11-14T22:13:20Z",
        "2023-13-01T00:00:00Z", "2023-11-14T25:00:00Z", "2023-11-14T22:13:20ZZ", "",
    ]

    /// The query API's `time` parameter, read back through `time()`: nil when refused.
    static func queryTime(_ base: String, _ text: String) async throws -> Double? {
        let q = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        let r = try await HTTP.request(base + "/api/v1/query?query=time()&time=" + q)
        guard r.status == 200 else {
            #expect(r.status == 400 && r.body.contains("bad_data"), "\(base) \(text): \(r.status) \(r.body)")
            return nil
        }
        let result = ((r.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [Any]
        return (result?.last as? String).flatMap(Double.init)
    }

    @Test func queryTimesGetRealPrometheusVerdicts() async throws {
        let vigil = try await VigilInstance(config: "scrape_configs: []\n")
        let (prom, promBase, promDir) = try await startPrometheus()
        defer { _ = prom; try? FileManager.default.removeItem(atPath: promDir) }

        for text in Self.texts where !text.isEmpty {
            let theirs = try await Self.queryTime(promBase, text)
            let ours = try await Self.queryTime(vigil.base, text)
            #expect(ours == theirs, "time=\(text): Vigil \(ours.map { "\($0)" } ?? "refused"), Prometheus \(theirs.map { "\($0)" } ?? "refused")")
        }
        // Before 1678 Prometheus' nanosecond arithmetic overflows (it answers -6826986978.871 here);
        // Vigil answers the time asked for.
        #expect(try await Self.queryTime(vigil.base, "0000-01-01T00:00:00Z") == -62_167_219_200)
        #expect(try await HTTP.request(vigil.base + "/-/healthy").status == 200)
    }

    /// Posts one alert starting at `text` and reads its `startsAt` back in milliseconds; nil when
    /// the post was refused.
    static func startsAt(_ base: String, _ text: String, name: String) async throws -> Int64? {
        let body = "[{\"labels\":{\"alertname\":\"\(name)\"},\"startsAt\":\"\(text)\"}]"
        let posted = try await HTTP.request(base + "/api/v2/alerts", method: "POST", body: body)
        guard posted.status == 200 else {
            #expect(posted.status == 400, "\(base) \(text): \(posted.status) \(posted.body)")
            return nil
        }
        let alerts = try await HTTP.request(base + "/api/v2/alerts?filter=alertname%3D%22\(name)%22").json as? [[String: Any]]
        let read = try #require(alerts?.first?["startsAt"] as? String, "\(base): \(name) not listed")
        return try #require(Self.milliseconds(read), "\(base): cannot read back \(read)")
    }

    /// An RFC 3339 time with any offset, in milliseconds (the test's own reading, via Foundation).
    static func milliseconds(_ text: String) -> Int64? {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains("."))
        return (try? style.parse(text)).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    @Test func alertStartTimesGetRealAlertmanagerVerdicts() async throws {
        let (am, amBase, _, amDir) = try await startAlertmanager()
        defer { _ = am; try? FileManager.default.removeItem(atPath: amDir) }
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let vigil = try await AlertmanagerIntegrationTests.vigil(alertmanager: "route: {receiver: quiet}\nreceivers: [{name: quiet}]\n", dir: dir)

        for (i, text) in Self.texts.enumerated() {
            let name = "Time\(i)"
            let theirs = try await Self.startsAt(amBase, text, name: name)
            let ours = try await Self.startsAt(vigil.base, text, name: name)
            if text.isEmpty {
                // No start is "now" to both.
                #expect(ours != nil && theirs != nil)
                continue
            }
            #expect(ours == theirs, "startsAt=\(text): Vigil \(ours.map { "\($0)" } ?? "refused"), Alertmanager \(theirs.map { "\($0)" } ?? "refused")")
        }
        #expect(try await HTTP.request(vigil.base + "/-/healthy").status == 200)
    }
}
