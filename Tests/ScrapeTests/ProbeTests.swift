import Config
import Foundation
import Testing
@testable import Scrape

@Suite struct ProbeTests {
    static func config(_ probe: String, extra: String = "") throws -> ScrapeConfig {
        let c = try PrometheusConfig.parse("""
            scrape_configs:
              - job_name: health
                probe: \(probe)
                static_configs: [{targets: ['http://model-api:8000/health']}]
            \(extra)
            """, file: "/tmp/prometheus.yml")
        return try #require(c.scrapeConfigs.first)
    }

    @Test func anInlineModuleTakesTheBlackboxExportersFields() throws {
        let c = try Self.config("""
            {prober: http, timeout: 3s, http: {method: POST, headers: {X-A: b}, valid_status_codes: [200, 204], valid_http_versions: [HTTP/1.1],
                      fail_if_not_ssl: true, fail_if_body_not_matches_regexp: ['ok'], no_follow_redirects: true, preferred_ip_protocol: ip4,
                      tls_config: {insecure_skip_verify: true}}}
            """)
        let m = try #require(c.probe?.module)
        #expect(m.prober == .http && m.timeout?.milliseconds == 3000)
        #expect(m.http.method == "POST" && m.http.headers == [.init(name: "X-A", value: "b")])
        #expect(m.http.validStatusCodes == [200, 204] && m.http.validHTTPVersions == ["HTTP/1.1"])
        #expect(m.http.failIfNotSSL && m.http.failIfBodyNotMatches == ["ok"])
        #expect(!m.http.client.followRedirects && m.http.client.tlsConfig.insecureSkipVerify)
    }

    @Test(arguments: [
        ("{prober: icmp}", "prober \"icmp\" is not supported"),
        ("{prober: http, http: {fail_if_body_matches_regexp: ['(']}}", "invalid body regexp"),
        ("{prober: http, http: {valid_status_codes: [99]}}", "expected an HTTP status code"),
        ("{prober: tcp, tcp: {query_response: [{expect: x}]}}", "query_response is not supported"),
        ("{modules_file: /nonexistent/blackbox.yml, module: http_2xx}", "cannot read modules_file"),
        ("{module: http_2xx}", "module names a module of a modules_file"),
    ])
    func badModulesAreRefusedWithTheReason(probe: String, message: String) {
        do {
            _ = try Self.config(probe)
            Issue.record("accepted: \(probe)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func aProbeTargetMayBeAURLAndTheExportersParamTargetWins() throws {
        let c = try Self.config("{prober: http}")
        guard case .target(let t) = TargetBuilder.build(address: "http://model-api:8000/health", groupLabels: .empty, config: c) else {
            Issue.record("a URL is a valid probe target")
            return
        }
        #expect(t.url == "http://model-api:8000/health")
        #expect(t.labels["instance"] == "http://model-api:8000/health")
        var relabelled = c
        relabelled.relabelConfigs = try Self.config("{prober: http}", extra: """
                relabel_configs:
                  - {source_labels: [__address__], target_label: __param_target}
                  - {target_label: __address__, replacement: 'blackbox:9115'}
            """).relabelConfigs
        guard case .target(let r) = TargetBuilder.build(address: "api:8000", groupLabels: .empty, config: relabelled) else {
            Issue.record("relabelled target")
            return
        }
        #expect(r.url == "api:8000")
    }

    @Test func httpDatesAreReadFieldByField() {
        #expect(Prober.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(Prober.httpDate("Sun, 06 Nov 1994 08:49:37 UTC") == nil)
        #expect(Prober.httpDate("Sun, 32 Nov 1994 08:49:37 GMT") == nil)
        #expect(Prober.httpDate("Sun, 06 Nov 1994 08:49:\(String(repeating: "9", count: 100)) GMT") == nil)
    }

    @Test func aReportIsATextExpositionEndingWithSuccess() {
        var report = ProbeReport()
        report.set("probe_http_status_code", "Response HTTP status code", 0)
        report.set("probe_http_status_code", "Response HTTP status code", 404)
        report.success = false
        let text = String(decoding: report.exposition(), as: UTF8.self)
        #expect(text == """
            # HELP probe_http_status_code Response HTTP status code
            # TYPE probe_http_status_code gauge
            probe_http_status_code 404
            # HELP probe_success Displays whether or not the probe was a success
            # TYPE probe_success gauge
            probe_success 0

            """)
    }
}
