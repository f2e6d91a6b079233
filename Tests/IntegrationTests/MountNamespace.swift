import Foundation

/// A mount namespace of its own, for running Vigil with a different view of the file system: a
/// small tmpfs that fills up, or another `/etc/resolv.conf`.
///
/// `unshare` makes a user and mount namespace (no privileges needed where user namespaces are
/// allowed) and runs the setup there; a `sleep` holds the namespace open, so Vigil can be killed
/// and started again in it. Processes enter it through `nsenter` (their network is the host's);
/// the test reaches its files through `/proc/<holder>/root`. Nothing appears on the host.
final class MountNamespace: @unchecked Sendable {
    let holder: ChildProcess

    /// Runs `script` (with `arguments` as `$0`, `$1`, ...) in the new namespace.
    init(script: String, arguments: [String]) async throws {
        holder = try ChildProcess(name: "mount-namespace", executable: "/usr/bin/unshare", arguments: [
            "--user", "--map-root-user", "--mount", "--propagation", "private", "/bin/sh", "-c",
            script + " && echo mounted && exec sleep 100000",
        ] + arguments)
        let holder = self.holder
        guard await eventually(timeout: .seconds(10), { holder.log.contains("mounted") }) else {
            throw PeerError("cannot set up a mount namespace: \(holder.log)")
        }
    }

    /// A tmpfs of `megabytes` on `mountPoint` (created on the host first).
    static func tmpfs(at mountPoint: String, megabytes: Int) async throws -> MountNamespace {
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        return try await MountNamespace(script: #"mount -t tmpfs -o size="$1"m tmpfs "$0""#, arguments: [mountPoint, "\(megabytes)"])
    }

    /// `file` in place of `/etc/resolv.conf`.
    static func resolvConf(_ file: String) async throws -> MountNamespace {
        try await MountNamespace(script: #"mount --bind "$0" /etc/resolv.conf"#, arguments: [file])
    }

    /// `path` inside the namespace, as this (host) process reaches it.
    func hostPath(_ path: String) -> String { "/proc/\(holder.process.processIdentifier)/root" + path }

    /// Starts `executable` inside the namespace.
    func launch(name: String, executable: String, arguments: [String]) throws -> ChildProcess {
        try ChildProcess(name: name, executable: "/usr/bin/nsenter", arguments: [
            "--target", "\(holder.process.processIdentifier)", "--user", "--mount", "--", executable,
        ] + arguments)
    }

    deinit { holder.signal(SIGKILL) }
}
