import Foundation
import Synchronization

/// A process started by a test, stopped (SIGKILL) when released if still running.
///
/// Its stdout and stderr go to one temporary file rather than through pipes: a pipe's
/// `readabilityHandler` is a dispatch source, and corelibs Foundation crashed (SIGSEGV inside
/// libdispatch) when such a source was cancelled while the pipe's file handle was being released
/// at the end of a test. A file needs no source and cannot fill up and stall the child.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let name: String
    private let outputPath: String
    private let outputHandle: FileHandle

    init(name: String, executable: String, arguments: [String], environment: [String: String]? = nil) throws {
        self.name = name
        outputPath = NSTemporaryDirectory() + "child-output-" + UUID().uuidString
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        outputHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b } }
        process.standardOutput = outputHandle
        process.standardError = outputHandle
        try process.run()
    }

    /// Everything the process wrote to stdout and stderr so far.
    var log: String {
        String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
    }

    var isRunning: Bool { process.isRunning }

    func signal(_ sig: Int32) { if process.isRunning { kill(process.processIdentifier, sig) } }

    /// Waits for exit up to `timeout`; returns the exit status, or nil if still running.
    func waitForExit(timeout: Duration = .seconds(20)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            // Polled rather than `waitUntilExit()`: that spins a CFRunLoop on whatever thread
            // releases the last reference, and corelibs Foundation has crashed doing so while
            // other children were being reaped.
            for _ in 0..<500 where process.isRunning { usleep(10_000) }
        }
        try? outputHandle.close()
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}

/// Ports `freePort()` has handed out in this process: tests run in parallel, and the kernel may
/// give a port that one test was handed (and has not bound yet) to another test's probe, so two
/// servers would be started on one port (seen once: a crash test reached a Prometheus started
/// by another test). No port is handed out twice.
private let handedOutPorts = Mutex(Set<Int>())

/// A TCP port nothing listens on right now, and that no other test of this process was given.
func freePort() -> Int {
    for _ in 0..<64 {
        let port = probeFreePort()
        if handedOutPorts.withLock({ $0.insert(port).inserted }) { return port }
    }
    return probeFreePort()
}

private func probeFreePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return try await condition()
}

/// Runs a command to completion and returns its exit status and combined output.
func runTool(_ executable: String, _ args: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Runs a command to completion without holding a thread while it runs (tests share the small
/// concurrency pool, and a blocked thread starves timer-driven tests running beside them).
/// Output goes through a temporary file, so a chatty command cannot fill a pipe and stall.
func runToolAsync(_ executable: String, _ args: [String]) async throws -> (status: Int32, output: String) {
    let outputPath = NSTemporaryDirectory() + "tool-output-" + UUID().uuidString
    FileManager.default.createFile(atPath: outputPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    defer { try? handle.close() }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.standardOutput = handle
    p.standardError = handle
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        p.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try p.run() } catch {
            p.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    let data = FileManager.default.contents(atPath: outputPath) ?? Data()
    return (status, String(decoding: data, as: UTF8.self))
}

/// Repository paths the tests need.
enum Paths {
    static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static var modelAPI: String { repoRoot.appendingPathComponent("examples/model-api/model_api.py").path }
    /// The model API instrumented with the OpenTelemetry SDK, pushing over OTLP/HTTP.
    static var otelModelAPI: String { repoRoot.appendingPathComponent("examples/otel-model-api/otel_model_api.py").path }
    /// The Python with the OpenTelemetry SDK and its OTLP/HTTP exporter, installed apart from the
    /// system's packages by `scripts/install-test-deps.sh` (they need a newer protobuf runtime).
    static var otelPython: String { ProcessInfo.processInfo.environment["VIGIL_OTEL_VENV"].map { $0 + "/bin/python" } ?? "/opt/vigil-otel-venv/bin/python" }
    /// The model API as a WSGI app for gunicorn with several workers.
    static var modelAPIWorkers: String { repoRoot.appendingPathComponent("examples/model-api-workers").path }
    /// The remote-write sender that records acknowledged requests (crash and admin tests).
    static var remoteWriteSender: String { repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/remote_write_sender.py").path }
    /// The scrape target that misbehaves on purpose (fault tests).
    static var faultyTarget: String { repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/faulty_target.py").path }
    /// The HTTP service-discovery endpoint (discovery tests).
    static var httpSDServer: String { repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/http_sd_server.py").path }
    /// Pushes what batch and training jobs push, with the official Python client and protobuf.
    static var pushScenario: String { repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/push_scenario.py").path }
    /// The stand-in for the Kubernetes API server (Kubernetes discovery tests).
    static var kubeAPIStandIn: String { repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/kube_api_standin.py").path }

    /// The `vigil` binary built next to this test bundle.
    static let vigil: String = {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(repoRoot.appendingPathComponent(".build/debug"))
        for dir in candidates {
            var d = dir
            for _ in 0..<4 {
                let p = d.appendingPathComponent("vigil").path
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue { return p }
                d.deleteLastPathComponent()
            }
        }
        return repoRoot.appendingPathComponent(".build/debug/vigil").path
    }()

    static func tempDirectory() -> String {
        let p = NSTemporaryDirectory() + "vigil-it-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}
