import Foundation

/// curl, the way users check an endpoint: status, headers and body of one request.
enum Curl {
    struct Reply {
        var status: Int
        var headers: String
        var body: String
        /// curl's own exit code (0 when an HTTP answer came back).
        var exitCode: Int32
    }

    static func request(_ url: String, _ args: [String] = []) async throws -> Reply {
        let headerFile = NSTemporaryDirectory() + "curl-headers-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: headerFile) }
        let result = try await runToolAsync("/usr/bin/curl", ["-sS", "--max-time", "10", "-D", headerFile, "-w", "\n%{http_code}"] + args + [url])
        var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = lines.popLast().flatMap { Int($0) } ?? 0
        let headers = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        return Reply(status: status, headers: headers, body: lines.joined(separator: "\n"), exitCode: result.status)
    }
}
