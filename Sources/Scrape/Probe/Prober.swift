import AsyncHTTPClient
import Config
import ConfigSupport
import Foundation
import MetricModel
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import OutgoingHTTP

/// Runs a probe job's module (``ProbeModule``) against one target and writes what it found as a
/// text exposition with the blackbox exporter's names — `probe_success`,
/// `probe_duration_seconds`, `probe_http_status_code`, `probe_ssl_earliest_cert_expiry`, … —
/// which the scrape loop stores like any scraped body (with `up` and the scrape series around it).
///
/// A failed probe is a body too (`probe_success 0`), not a failed scrape, as with the exporter.
final class Prober: Sendable {
    let module: ProbeModule
    let http: HTTPClient?
    let tls: TLSConfiguration
    let userAgent: String
    /// The module's body checks, compiled once.
    let bodyMustNotMatch: [Regex2]
    let bodyMustMatch: [Regex2]

    /// Bodies are read up to this size for the body checks.
    static let bodyLimit = 16 << 20

    init(module: ProbeModule, userAgent: String) throws(ScrapeError) {
        self.module = module
        self.userAgent = userAgent
        // The patterns were checked when the configuration loaded.
        bodyMustNotMatch = module.http.failIfBodyMatches.compactMap { try? Regex2($0) }
        bodyMustMatch = module.http.failIfBodyNotMatches.compactMap { try? Regex2($0) }
        do {
            tls = try (module.prober == .http ? module.http.client.tlsConfig : module.tcp.tlsConfig).makeClientConfiguration()
        } catch {
            throw ScrapeError("probe module: \(error)")
        }
        if module.prober == .http {
            var conf = HTTPClient.Configuration(
                tlsConfiguration: tls,
                redirectConfiguration: module.http.client.followRedirects ? .follow(max: 10, allowCycles: false) : .disallow,
                decompression: .enabled(limit: .size(Self.bodyLimit)))
            conf.httpVersion = module.http.client.enableHTTP2 ? .automatic : .http1Only
            conf.connectionPool = .init(idleTimeout: .seconds(30))
            http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: conf)
        } else {
            http = nil
        }
    }

    /// Probes `target` (a URL or `host:port` for HTTP, `host:port` for TCP) within `timeout`
    /// (the module's, when shorter).
    func probe(target: String, timeout: Duration) async -> [UInt8] {
        var limit = timeout
        if let own = module.timeout, own.milliseconds > 0 { limit = min(limit, own.duration) }
        let started = ContinuousClock.now
        var report = ProbeReport()
        switch module.prober {
        case .http: report = await probeHTTP(target, timeout: limit)
        case .tcp: report = await probeTCP(target, timeout: limit)
        }
        report.set("probe_duration_seconds", "Returns how long the probe took to complete in seconds", started.duration(to: .now).inSeconds)
        return report.exposition()
    }

    func shutdown() async {
        try? await http?.shutdown()
    }

    // MARK: HTTP

    private func probeHTTP(_ target: String, timeout: Duration) async -> ProbeReport {
        var report = ProbeReport()
        let options = module.http
        report.set("probe_failed_due_to_regex", "Indicates if probe failed due to regex", 0)
        // Written as 0 when no response comes (refused, timed out, untrusted), as the exporter does.
        report.set("probe_http_content_length", "Length of http content response", 0)
        report.set("probe_http_redirects", "The number of redirects", 0)
        report.set("probe_http_ssl", "Indicates if SSL was used for the final redirect", 0)
        report.set("probe_http_status_code", "Response HTTP status code", 0)
        report.set("probe_http_uncompressed_body_length", "Length of uncompressed response body", 0)
        report.set("probe_http_version", "Returns the version of HTTP of the probe response", 0)
        let url = target.contains("://") ? target : "http://" + target
        guard let http, let parsed = URL(string: url), parsed.host != nil else {
            report.success = false
            return report
        }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: options.method)
        request.headers.add(name: "User-Agent", value: userAgent)
        for header in options.headers { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        do {
            if let auth = try await OAuth2Tokens.authorizationHeader(for: options.client) { request.headers.replaceOrAdd(name: "Authorization", value: auth) }
        } catch {
            report.success = false
            return report
        }
        if let body = options.body { request.body = .bytes(ByteBuffer(string: body)) }
        let deadline = NIODeadline.now() + timeout.timeAmount(clampedTo: .zero ... .seconds(1_000_000_000))
        let response: HTTPClientResponse
        var body: [UInt8] = []
        do {
            response = try await http.execute(request, deadline: deadline)
            for try await var chunk in response.body {
                if body.count + chunk.readableBytes > Self.bodyLimit { break }
                if let bytes = chunk.readBytes(length: chunk.readableBytes) { body.append(contentsOf: bytes) }
            }
        } catch {
            report.success = false
            return report
        }
        let code = Int(response.status.code)
        report.set("probe_http_status_code", "Response HTTP status code", Double(code))
        report.set("probe_http_content_length", "Length of http content response",
                   response.headers.first(name: "Content-Length").flatMap(Double.init) ?? -1)
        report.set("probe_http_uncompressed_body_length", "Length of uncompressed response body", Double(body.count))
        report.set("probe_http_redirects", "The number of redirects", Double(max(0, response.history.count - 1)))
        let version = Double(response.version.major) + Double(response.version.minor) / 10
        report.set("probe_http_version", "Returns the version of HTTP of the probe response", version)
        if let modified = response.headers.first(name: "Last-Modified").flatMap(Self.httpDate) {
            report.set("probe_http_last_modified_timestamp_seconds", "Returns the Last-Modified HTTP response header in unixtime", modified)
        }
        let finalURL = response.url ?? parsed
        let isTLS = finalURL.scheme?.lowercased() == "https"
        report.set("probe_http_ssl", "Indicates if SSL was used for the final redirect", isTLS ? 1 : 0)

        var success = options.validStatusCodes.isEmpty ? (200..<300).contains(code) : options.validStatusCodes.contains(code)
        if success, !options.validHTTPVersions.isEmpty {
            let name = "HTTP/\(response.version.major).\(response.version.minor)"
            success = options.validHTTPVersions.contains(name)
        }
        if success {
            let text = String(decoding: body, as: UTF8.self)
            let matched = bodyMustNotMatch.contains { $0.firstMatch(in: text) != nil }
            let missing = bodyMustMatch.contains { $0.firstMatch(in: text) == nil }
            if matched || missing {
                success = false
                report.set("probe_failed_due_to_regex", "Indicates if probe failed due to regex", 1)
            }
        }
        if success, options.failIfSSL && isTLS || options.failIfNotSSL && !isTLS { success = false }
        if isTLS, let host = finalURL.host {
            let port = finalURL.port ?? 443
            if let chain = await TLSPeerChain.read(host: host, port: port, tls: tls, timeout: timeout, verify: false) {
                report.addTLS(chain)
            }
        }
        report.success = success
        return report
    }

    // MARK: TCP

    private func probeTCP(_ target: String, timeout: Duration) async -> ProbeReport {
        var report = ProbeReport()
        report.set("probe_failed_due_to_regex", "Indicates if probe failed due to regex", 0)
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]), (1...65535).contains(port) else {
            report.success = false
            return report
        }
        var host = String(target[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if module.tcp.tls {
            guard let chain = await TLSPeerChain.read(host: host, port: port, tls: tls, timeout: timeout, verify: true) else {
                report.success = false
                return report
            }
            report.addTLS(chain)
            report.success = true
            return report
        }
        report.success = await TLSPeerChain.connects(host: host, port: port, timeout: timeout)
        return report
    }

    /// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110's preferred form) in seconds
    /// since the epoch; read field by field, since the header comes from outside.
    static func httpDate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int64(parts[1]), (1...31).contains(day),
              let year = Int64(parts[3]), (1...9999).contains(year) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let h = Int64(clock[0]), let m = Int64(clock[1]), let s = Int64(clock[2]),
              (0...23).contains(h), (0...59).contains(m), (0...60).contains(s) else { return nil }
        let days = RFC3339.daysSinceEpoch(year: year, month: Int64(month + 1), day: day)
        return Double(days * 86_400 + h * 3600 + m * 60 + s)
    }
}
