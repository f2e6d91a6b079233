import Foundation
import Testing

/// Probe jobs against Debian's prometheus-blackbox-exporter: the same modules (one
/// `blackbox.yml`, read unchanged by both) on the same targets — a prometheus_client model API
/// over HTTP and HTTPS, a missing page, body checks, a POST, TCP with and without TLS, a closed
/// port — give the same `probe_success` and the same status code, TLS, regex, redirect,
/// version, length and certificate-expiry figures, and every metric Vigil writes is one the
/// exporter writes.
@Suite(.serialized) struct ProbeIntegrationTests {
    struct Case {
        var module: String
        var target: String
        /// The body changes from request to request: its lengths are not compared.
        var dynamicBody = false
    }

    @Test func probeJobsAgreeWithTheBlackboxExporter() async throws {
        let dir = Paths.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pki = try TestPKI(in: dir)
        let (apiProcess, apiPort) = try await startModelAPI(rate: 0)
        let (tlsAPI, tlsPort) = try await startModelAPI(rate: 0, tls: (pki.serverCert, pki.serverKey))
        defer { _ = (apiProcess, tlsAPI) }
        let closed = freePort()
        try """
            modules:
              http_2xx: {prober: http, timeout: 5s}
              http_body_present:
                prober: http
                http: {fail_if_body_not_matches_regexp: ['python_request_operations_total \\\\d']}
              http_body_missing:
                prober: http
                http: {fail_if_body_not_matches_regexp: ['"status":\\\\s*"ok"']}
              http_forbidden_text:
                prober: http
                http: {fail_if_body_matches_regexp: ['python_model_info']}
              http_404_expected:
                prober: http
                http: {valid_status_codes: [404]}
              http_post:
                prober: http
                http: {method: POST, headers: {X-Probe: vigil}, body: '{}'}
              https_trusted:
                prober: http
                http: {fail_if_not_ssl: true, tls_config: {ca_file: '\(pki.caCert)'}}
              https_untrusted: {prober: http}
              tcp_connect: {prober: tcp}
              tcp_tls:
                prober: tcp
                tcp: {tls: true, tls_config: {ca_file: '\(pki.caCert)'}}
              icmp_ping: {prober: icmp}
            """.write(toFile: dir + "/blackbox.yml", atomically: true, encoding: .utf8)
        let api = "http://127.0.0.1:\(apiPort)"
        let cases = [
            Case(module: "http_2xx", target: api + "/metrics", dynamicBody: true),
            Case(module: "http_2xx", target: "127.0.0.1:\(apiPort)/nothere"),
            Case(module: "http_body_present", target: api + "/metrics", dynamicBody: true),
            Case(module: "http_body_missing", target: api + "/metrics", dynamicBody: true),
            Case(module: "http_forbidden_text", target: api + "/metrics", dynamicBody: true),
            Case(module: "http_404_expected", target: api + "/nothere"),
            Case(module: "http_post", target: api + "/predict", dynamicBody: true),
            Case(module: "https_trusted", target: "https://127.0.0.1:\(tlsPort)/metrics", dynamicBody: true),
            Case(module: "https_untrusted", target: "https://127.0.0.1:\(tlsPort)/metrics", dynamicBody: true),
            Case(module: "tcp_connect", target: "127.0.0.1:\(apiPort)"),
            Case(module: "tcp_connect", target: "127.0.0.1:\(closed)"),
            Case(module: "tcp_tls", target: "127.0.0.1:\(tlsPort)"),
        ]

        let exporterAddress = "127.0.0.1:\(freePort())"
        let exporter = try ChildProcess(name: "blackbox", executable: "/usr/bin/prometheus-blackbox-exporter",
                                        arguments: ["--config.file=\(dir)/blackbox.yml", "--web.listen-address=\(exporterAddress)"])
        defer { _ = exporter }
        #expect(await eventually(timeout: .seconds(20)) { await HTTP.get("http://\(exporterAddress)/-/healthy")?.status == 200 }, "\(exporter.log)")

        // One probe job per case, the module read from the same blackbox.yml; the last uses the
        // relabeling written for the exporter (target into __param_target and instance).
        var config = "global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n"
        for (i, c) in cases.enumerated() {
            config += """
              - job_name: case\(i)
                probe: {modules_file: blackbox.yml, module: \(c.module)}
                static_configs: [{targets: ['\(c.target)']}]

            """
        }
        config += """
              - job_name: relabelled
                metrics_path: /probe
                params: {module: [http_2xx]}
                probe: {modules_file: blackbox.yml, module: http_2xx}
                static_configs: [{targets: ['\(api)/metrics']}]
                relabel_configs:
                  - {source_labels: [__address__], target_label: __param_target}
                  - {source_labels: [__param_target], target_label: instance}
                  - {target_label: __address__, replacement: 'blackbox-exporter:9115'}

            """
        let vigil = try await VigilInstance(config: config, dir: dir)
        try await Task.sleep(for: .seconds(3))

        for (i, c) in cases.enumerated() {
            let query = "http://\(exporterAddress)/probe?module=\(c.module)&target=" + (c.target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let theirs = Self.parse(try await HTTP.request(query, timeout: .seconds(10)).body)
            let ours = try await Self.stored(vigil.base, job: "case\(i)")
            let what = "\(c.module) on \(c.target)"
            #expect(!ours.isEmpty, "\(what): nothing stored\n\(vigil.process.log.suffix(1500))")
            for name in ours.keys.sorted() {
                #expect(theirs[name] != nil, "\(what): Vigil writes \(name), the blackbox exporter does not")
            }
            var compared = ["probe_success", "probe_http_status_code", "probe_http_ssl", "probe_failed_due_to_regex",
                            "probe_http_redirects", "probe_http_version", "probe_ssl_earliest_cert_expiry",
                            "probe_tls_version_info{version=\"TLS 1.3\"}", "probe_tls_version_info{version=\"TLS 1.2\"}"]
            if !c.dynamicBody { compared += ["probe_http_content_length", "probe_http_uncompressed_body_length"] }
            for name in compared where theirs[name] != nil || ours[name] != nil {
                #expect(ours[name] == theirs[name], "\(what): \(name) is \(ours[name].map { "\($0)" } ?? "absent") in Vigil, \(theirs[name].map { "\($0)" } ?? "absent") in the blackbox exporter")
            }
        }
        // The exporter's relabeling: the probe goes to the target, named by it.
        let relabelled = try await HTTP.request(vigil.base + "/api/v1/query?query=probe_success%7Bjob%3D%22relabelled%22%7D").body
        #expect(relabelled.contains("\"instance\":\"\(api)/metrics\"") && relabelled.contains("\"1\""), "\(relabelled)")
        // A module of a prober Vigil does not have is refused when the configuration loads.
        try "scrape_configs:\n  - job_name: ping\n    probe: {modules_file: blackbox.yml, module: icmp_ping}\n    static_configs: [{targets: ['127.0.0.1']}]\n"
            .write(toFile: dir + "/icmp.yml", atomically: true, encoding: .utf8)
        let check = try runTool(Paths.vigil, ["check", "config", dir + "/icmp.yml"])
        #expect(check.status != 0 && check.output.contains("prober \"icmp\" is not supported"), "\(check.output)")
    }

    /// An exposition's samples by name (with labels, as written), values as numbers.
    static func parse(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = value
        }
        return out
    }

    /// The probe series a job stored, by name (and `version` label), as the exporter writes them.
    static func stored(_ base: String, job: String) async throws -> [String: Double] {
        let query = "{job=\"\(job)\",__name__=~\"probe_.*\"}".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let reply = try await HTTP.request(base + "/api/v1/query?query=" + query)
        var out: [String: Double] = [:]
        for item in ((reply.json as? [String: Any])?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? [] {
            guard let metric = item["metric"] as? [String: String], let v = (item["value"] as? [Any])?.last as? String, let value = Double(v) else { continue }
            var name = metric["__name__"] ?? ""
            if let version = metric["version"] { name += "{version=\"\(version)\"}" }
            if let phase = metric["phase"] { name += "{phase=\"\(phase)\"}" }
            out[name] = value
        }
        return out
    }
}
