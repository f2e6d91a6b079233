import Foundation

/// Debian's dnsmasq answering for `vigil.test` on a loopback address of its own, with the records
/// a test gives it.
///
/// It runs as a daemon (it forks away and writes a PID file) rather than as a child of the test
/// process: while a dnsmasq child runs, Foundation's `Process` stops noticing that any other child
/// exited (seen with swift-corelibs-foundation on Linux), which would stall every other test.
final class DNSServer: @unchecked Sendable {
    let address: String
    let pidFile: String
    let logFile: String

    /// `records` are dnsmasq options such as `--srv-host=...` and `--host-record=...`.
    init(address: String, dir: String, records: [String]) async throws {
        self.address = address
        pidFile = dir + "/dnsmasq-\(address).pid"
        logFile = dir + "/dnsmasq-\(address).log"
        let started = try await runToolAsync("/usr/sbin/dnsmasq", [
            "--no-resolv", "--no-hosts", "--listen-address=\(address)", "--bind-interfaces", "--port=53",
            "--user=root", "--pid-file=\(pidFile)", "--local=/vigil.test/", "--log-queries", "--log-facility=\(logFile)",
        ] + records)
        let file = pidFile
        @Sendable func readPID() -> Int32? {
            (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard started.status == 0, await eventually(timeout: .seconds(10), { readPID() != nil }), let pid = readPID() else {
            throw PeerError("dnsmasq did not start (is dnsmasq-base installed? run scripts/install-test-deps.sh): \(started.output)")
        }
        self.pid = pid
    }

    /// The daemon's process, read once: a later server on the same address rewrites the file.
    private(set) var pid: Int32?

    /// The queries it answered (for failure messages).
    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// Stops it and waits until the address is free again.
    func stop() async {
        guard let pid else { return }
        kill(pid, SIGKILL)
        self.pid = nil
        try? FileManager.default.removeItem(atPath: pidFile)
        // Killed is enough: a zombie left to init no longer holds the socket.
        _ = await eventually(timeout: .seconds(5)) {
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            return state.isEmpty || state.contains(") Z ")
        }
    }

    deinit { if let pid { kill(pid, SIGKILL) } }
}
