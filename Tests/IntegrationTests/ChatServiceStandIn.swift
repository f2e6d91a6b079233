import Foundation

/// A stand-in for a chat service's webhook API (Slack, Discord: unreachable from here) from
/// `Tests/IntegrationTests/Support/`, which holds every request to the contract the service
/// publishes and records it with its problems; the first `failFirst` requests fail as the service
/// fails (5xx, rate limits) so retries can be seen.
final class ChatServiceStandIn: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let recordFile: String

    /// `script` is the stand-in's file in `Support/`.
    init(script: String, dir: String, failFirst: Int = 0) async throws {
        port = freePort()
        recordFile = dir + "/\(script)-\(port).jsonl"
        process = try ChildProcess(name: script, executable: "/usr/bin/env", arguments: [
            "python3", Paths.repoRoot.appendingPathComponent("Tests/IntegrationTests/Support/\(script)").path,
            "--port", "\(port)", "--record", recordFile, "--fail", "\(failFirst)",
        ])
        let up = await eventually(timeout: .seconds(20)) { [process] in process.log.contains("listening") }
        guard up else { throw PeerError("\(script) did not start: \(process.log)") }
    }

    /// The URL of a webhook at `path` on the stand-in.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every request received, oldest first: its payload and the contract's complaints.
    var requests: [(payload: [String: Any], problems: [String])] {
        guard let text = try? String(contentsOfFile: recordFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let json = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return nil }
            return (json["payload"] as? [String: Any] ?? [:], json["problems"] as? [String] ?? [])
        }
    }
}
