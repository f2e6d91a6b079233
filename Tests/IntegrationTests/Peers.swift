import AsyncHTTPClient
import Foundation
import NIOCore

/// Plain HTTP calls to processes under test.
enum HTTP {
    struct Reply {
        var status: Int
        var body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
    }

    /// With `closeConnection`, the server closes the connection after answering, so the next
    /// request opens a new one.
    static func request(_ url: String, method: String = "GET", body: String? = nil, contentType: String = "application/json",
                        timeout: Duration = .seconds(5), closeConnection: Bool = false, headers: [(String, String)] = []) async throws -> Reply {
        var req = HTTPClientRequest(url: url)
        req.method = .init(rawValue: method)
        for (name, value) in headers { req.headers.add(name: name, value: value) }
        if closeConnection { req.headers.add(name: "Connection", value: "close") }
        if let body {
            req.headers.add(name: "Content-Type", value: contentType)
            req.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(req, timeout: .seconds(Int64(timeout.components.seconds)))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body))
    }

    /// The shared client's settings, but bodies may inflate up to 64 MiB whatever their ratio: a
    /// query answer of repetitive JSON compresses far better than the 25:1 the shared client takes.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.decompression = .enabled(limit: .size(64 << 20))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// GET that yields nil instead of throwing while a server is still starting.
    static func get(_ url: String) async -> Reply? { try? await request(url) }
}

/// The example model API (official prometheus_client) on a free port.
/// `shape` is how it counts predictions: `labelled` (one counter with a species label) or
/// `per-class` (one counter per class).
func startModelAPI(rate: Double = 20, shape: String = "labelled", basicAuth: String? = nil,
                   tls: (cert: String, key: String)? = nil) async throws -> (ChildProcess, Int) {
    let port = freePort()
    var args = ["python3", Paths.modelAPI, "--port", "\(port)", "--rate", "\(rate)", "--shape", shape]
    if let basicAuth { args += ["--basic-auth", basicAuth] }
    if let tls { args += ["--tls-cert", tls.cert, "--tls-key", tls.key] }
    let p = try ChildProcess(name: "model-api", executable: "/usr/bin/env", arguments: args)
    let up = await eventually(timeout: .seconds(20)) {
        if tls != nil { return p.log.contains("listening") }
        return await HTTP.get("http://127.0.0.1:\(port)/metrics") != nil
    }
    guard up else { throw PeerError("model API did not start: \(p.log)") }
    return (p, port)
}

/// Debian's prometheus-alertmanager on a free port with a receiver that drops everything, and its
/// address; the caller keeps the process (and removes the directory) for as long as it is needed.
/// With `tls`, it serves HTTPS with that certificate (and `base` is an https URL).
func startAlertmanager(tls: (cert: String, key: String)? = nil) async throws -> (ChildProcess, base: String, address: String, dir: String) {
    let candidates = ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"]
    guard let exe = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
        throw PeerError("Debian's prometheus-alertmanager is not installed: run scripts/install-test-deps.sh")
    }
    let dir = Paths.tempDirectory()
    try "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n".write(toFile: dir + "/am.yml", atomically: true, encoding: .utf8)
    let port = freePort()
    var args = ["--config.file=\(dir)/am.yml", "--storage.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address="]
    if let tls {
        try "tls_server_config:\n  cert_file: \(tls.cert)\n  key_file: \(tls.key)\n".write(toFile: dir + "/web.yml", atomically: true, encoding: .utf8)
        args.append("--web.config.file=\(dir)/web.yml")
    }
    let am = try ChildProcess(name: "alertmanager", executable: exe, arguments: args)
    let base = "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)"
    let ready = await eventually(timeout: .seconds(30)) {
        if tls != nil { return am.log.contains("TLS is enabled") || am.log.contains("Listening on") }
        return await HTTP.get(base + "/-/ready")?.status == 200
    }
    guard ready else {
        throw PeerError("alertmanager did not become ready:\n\(am.log)")
    }
    return (am, base, "127.0.0.1:\(port)", dir)
}

/// Debian's prometheus on a free port with `config`, once it is ready, storing in `dataDirectory`
/// (or in `dir`/data); the caller keeps the process and removes `dir`, a fresh temporary directory.
func startPrometheus(config: String = "scrape_configs: []\n", dataDirectory: String? = nil) async throws -> (ChildProcess, base: String, dir: String) {
    guard let exe = ["/usr/bin/prometheus", "/usr/sbin/prometheus"].first(where: { FileManager.default.fileExists(atPath: $0) }) else {
        throw PeerError("Debian's prometheus is not installed: run scripts/install-test-deps.sh")
    }
    let dir = Paths.tempDirectory()
    try config.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
    let port = freePort()
    let prom = try ChildProcess(name: "prometheus", executable: exe, arguments: [
        "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dataDirectory ?? dir + "/data")", "--web.listen-address=127.0.0.1:\(port)",
    ])
    let base = "http://127.0.0.1:\(port)"
    guard await eventually(timeout: .seconds(60), { await HTTP.get(base + "/-/ready")?.status == 200 }) else {
        throw PeerError("prometheus did not become ready:\n\(prom.log.suffix(2000))")
    }
    return (prom, base, dir)
}

/// The path of Debian's prometheus, or an error naming the script that installs it.
func debianPrometheus() throws -> String {
    guard let path = ["/usr/bin/prometheus", "/usr/sbin/prometheus"].first(where: { FileManager.default.fileExists(atPath: $0) }) else {
        throw PeerError("Debian's prometheus is not installed: run scripts/install-test-deps.sh")
    }
    return path
}

/// Debian's prometheus-pushgateway on a free port, and its base URL; it keeps its groups in a
/// file of its own (Debian's default file would carry groups from one run into the next).
func startPushgateway() async throws -> (ChildProcess, base: String, address: String) {
    let exe = "/usr/bin/prometheus-pushgateway"
    guard FileManager.default.fileExists(atPath: exe) else {
        throw PeerError("Debian's prometheus-pushgateway is not installed: run scripts/install-test-deps.sh")
    }
    let address = "127.0.0.1:\(freePort())"
    let gateway = try ChildProcess(name: "pushgateway", executable: exe, arguments: [
        "--web.listen-address=\(address)", "--persistence.file=\(Paths.tempDirectory())/pushgateway.data",
    ])
    let base = "http://" + address
    guard await eventually(timeout: .seconds(30), { await HTTP.get(base + "/-/ready")?.status == 200 }) else {
        throw PeerError("pushgateway did not become ready:\n\(gateway.log.suffix(2000))")
    }
    return (gateway, base, address)
}

/// The webhook receiver example (a real HTTP server) recording payloads as JSON lines.
final class WebhookReceiver: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let recordFile: String
    let scheme: String
    var url: String { "\(scheme)://127.0.0.1:\(port)/hook" }

    /// `tls` serves HTTPS with that certificate.
    init(dir: String, failFirst: Int = 0, tls: (cert: String, key: String)? = nil) async throws {
        port = freePort()
        scheme = tls == nil ? "http" : "https"
        recordFile = dir + "/webhook-\(port).jsonl"
        var args = ["python3", Paths.repoRoot.appendingPathComponent("examples/webhook-receiver/webhook_receiver.py").path,
                    "--port", "\(port)", "--record", recordFile, "--fail", "\(failFirst)"]
        if let tls { args += ["--tls-cert", tls.cert, "--tls-key", tls.key] }
        process = try ChildProcess(name: "webhook", executable: "/usr/bin/env", arguments: args)
        let up = await eventually(timeout: .seconds(20)) { [process] in process.log.contains("listening") }
        guard up else { throw PeerError("webhook receiver did not start: \(process.log)") }
    }

    /// The payloads received so far, oldest first.
    var payloads: [[String: Any]] {
        guard let text = try? String(contentsOfFile: recordFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["payload"] as? [String: Any]
        }
    }
}

/// The mail sink example: a real SMTP server (aiosmtpd) recording every message as a JSON line.
final class MailSink: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let recordFile: String

    /// `tls` offers STARTTLS with that certificate (or TLS from the first byte with `implicitTLS`);
    /// `user`/`password` require AUTH; `refuseFirst` messages are answered with `refuseReply`, and
    /// the reply to the first `slowFirst` recipients is held for `slowSeconds`; the first message is
    /// recorded and its final reply then held for `slowAcceptSeconds`.
    init(dir: String, port: Int? = nil, tls: (cert: String, key: String)? = nil, implicitTLS: Bool = false, user: String? = nil,
         password: String? = nil, refuseFirst: Int = 0, refuseReply: String = "451 4.3.0 Try again later",
         slowFirst: Int = 0, slowSeconds: Double = 0, slowAcceptSeconds: Double = 0) async throws {
        self.port = port ?? freePort()
        recordFile = dir + "/mail-\(self.port).jsonl"
        var args = ["python3", Paths.repoRoot.appendingPathComponent("examples/mail-sink/mail_sink.py").path,
                    "--port", "\(self.port)", "--record", recordFile]
        if let tls { args += ["--tls-cert", tls.cert, "--tls-key", tls.key] + (implicitTLS ? ["--implicit-tls"] : []) }
        if let user, let password { args += ["--user", user, "--password", password] }
        if refuseFirst > 0 { args += ["--refuse-first", "\(refuseFirst)", "--refuse-reply", refuseReply] }
        if slowFirst > 0 { args += ["--slow-first", "\(slowFirst)", "--slow-seconds", "\(slowSeconds)"] }
        if slowAcceptSeconds > 0 { args += ["--slow-accept-seconds", "\(slowAcceptSeconds)"] }
        process = try ChildProcess(name: "mail-sink", executable: "/usr/bin/env", arguments: args)
        let up = await eventually(timeout: .seconds(20)) { self.process.log.contains("listening") }
        guard up else { throw PeerError("mail sink did not start (is aiosmtpd installed? run scripts/install-test-deps.sh): \(process.log)") }
    }

    /// The messages received so far, oldest first.
    var mails: [[String: Any]] {
        guard let text = try? String(contentsOfFile: recordFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }
}

/// Debian's prometheus-node-exporter on a free port.
func startNodeExporter() async throws -> (ChildProcess, Int) {
    let port = freePort()
    let exe = ["/usr/bin/prometheus-node-exporter", "/usr/sbin/prometheus-node-exporter"].first { FileManager.default.fileExists(atPath: $0) }
    guard let exe else { throw PeerError("prometheus-node-exporter is not installed: run scripts/install-test-deps.sh") }
    let p = try ChildProcess(name: "node-exporter", executable: exe, arguments: ["--web.listen-address=127.0.0.1:\(port)"])
    let up = await eventually(timeout: .seconds(20)) { await HTTP.get("http://127.0.0.1:\(port)/metrics")?.status == 200 }
    guard up else { throw PeerError("node exporter did not start: \(p.log)") }
    return (p, port)
}

struct PeerError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A running `vigil` server with its own storage directory and config file.
final class VigilInstance: @unchecked Sendable {
    let dir: String
    let port: Int
    let configPath: String
    let process: ChildProcess
    /// Whether this instance made `dir` (and removes it when released).
    private let ownsDirectory: Bool
    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts Vigil; pass `dir` to reuse a storage directory across instances (the caller owns it),
    /// and `port` when the configuration must name Vigil's own address.
    /// `ready` replaces the plain-HTTP readiness probe (for a server behind TLS or basic auth);
    /// `namespace` runs it inside a mount namespace (a small disk, another resolv.conf).
    init(config: String, extraArgs: [String] = [], dir: String? = nil, port: Int? = nil,
         ready: (@Sendable (Int) async -> Bool)? = nil, namespace: MountNamespace? = nil) async throws {
        self.ownsDirectory = dir == nil
        let dir = dir ?? Paths.tempDirectory()
        self.dir = dir
        self.port = port ?? freePort()
        self.configPath = dir + "/prometheus.yml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        // Tests name their own alertmanager.yml; the others get one that notifies nobody rather
        // than the repository's example (which e-mails a local SMTP server).
        var args = extraArgs
        if !args.contains(where: { $0.hasPrefix("--alertmanager.config.file") }) {
            let amConfig = dir + "/alertmanager.yml"
            if !FileManager.default.fileExists(atPath: amConfig) {
                try "route: {receiver: quiet}\nreceivers: [{name: quiet}]\n".write(toFile: amConfig, atomically: true, encoding: .utf8)
            }
            args.append("--alertmanager.config.file=\(amConfig)")
        }
        let arguments = [
            "--config.file=\(configPath)", "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(self.port)",
        ] + args
        if let namespace {
            process = try namespace.launch(name: "vigil", executable: Paths.vigil, arguments: arguments)
        } else {
            process = try ChildProcess(name: "vigil", executable: Paths.vigil, arguments: arguments)
        }
        let base = "http://127.0.0.1:\(self.port)"
        let port = self.port
        let isReady = await eventually(timeout: .seconds(30)) {
            if let ready { return await ready(port) }
            return await HTTP.get(base + "/-/ready")?.status == 200
        }
        guard isReady else { throw PeerError("vigil did not become ready:\n\(process.log)") }
    }

    /// Active targets from `/api/v1/targets`.
    func activeTargets() async throws -> [[String: Any]] {
        let reply = try await HTTP.request(base + "/api/v1/targets")
        let data = (reply.json as? [String: Any])?["data"] as? [String: Any]
        return data?["activeTargets"] as? [[String: Any]] ?? []
    }

    /// The value of one line of `/metrics` (`name` or `name{labels}` exactly as rendered).
    func metric(_ line: String) async -> Double? {
        guard let text = try? await HTTP.request(base + "/metrics").body else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    func health(of job: String) async throws -> String? {
        try await activeTargets().first { ($0["scrapePool"] as? String) == job }?["health"] as? String
    }

    /// Runs `vigil tsdb dump` on this instance's storage and parses the lines.
    func dump(_ matches: [String] = []) throws -> [DumpedSample] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Paths.vigil)
        p.arguments = ["tsdb", "dump", "--storage.tsdb.path=\(dir)/data"] + matches.flatMap { ["--match", $0] }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap(DumpedSample.init)
    }

    deinit { if ownsDirectory { try? FileManager.default.removeItem(atPath: dir) } }
}

/// One line of `vigil tsdb dump`.
struct DumpedSample {
    var labels: [String: String]
    var value: String
    var t: Int64

    init?(_ line: Substring) {
        guard let close = line.lastIndex(of: "}") else { return nil }
        let parts = line[line.index(after: close)...].split(separator: " ")
        guard parts.count == 2, let t = Int64(parts[1]) else { return nil }
        value = String(parts[0])
        self.t = t
        labels = [:]
        for pair in line[line.index(after: line.startIndex)..<close].components(separatedBy: ", ") {
            guard let eq = pair.firstIndex(of: "=") else { continue }
            labels[String(pair[..<eq])] = String(pair[pair.index(eq, offsetBy: 2)..<pair.index(before: pair.endIndex)])
        }
    }

    var name: String { labels["__name__"] ?? "" }
    var isStale: Bool { value == "StaleNaN" }
    var number: Double? { Double(value) }
}
