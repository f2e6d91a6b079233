import Foundation

/// A stand-in for a chat or incident service's API (Slack, Discord, PagerDuty, OpsGenie,
/// Telegram, Teams: unreachable from here) from
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

    /// One request as the stand-in recorded it.
    struct Request {
        var payload: [String: Any]
        /// What the service's contract finds wrong in it (empty: the service would take it).
        var problems: [String]
        var path: String
        var authorization: String
    }

    /// Every request received, oldest first.
    var requests: [Request] {
        guard let text = try? String(contentsOfFile: recordFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let json = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return nil }
            return Request(payload: json["payload"] as? [String: Any] ?? [:], problems: json["problems"] as? [String] ?? [],
                           path: json["path"] as? String ?? "", authorization: json["authorization"] as? String ?? "")
        }
    }
}
