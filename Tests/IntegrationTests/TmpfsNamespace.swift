import Foundation

/// A small tmpfs in a mount namespace of its own, for running Vigil on a disk that fills up.
///
/// `unshare` makes a user and mount namespace (no privileges needed where user namespaces are
/// allowed) and mounts the tmpfs there; a `sleep` holds the namespace open, so Vigil can be
/// killed and started again on the same files. Processes enter it through `nsenter`; the test
/// reaches the files through `/proc/<holder>/root`. The mount never appears on the host.
final class TmpfsNamespace: @unchecked Sendable {
    let holder: ChildProcess
    /// Where the tmpfs is mounted, as processes inside the namespace see it.
    let mountPoint: String

    init(mountPoint: String, megabytes: Int) async throws {
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        self.mountPoint = mountPoint
        holder = try ChildProcess(name: "tmpfs-namespace", executable: "/usr/bin/unshare", arguments: [
            "--user", "--map-root-user", "--mount", "--propagation", "private", "/bin/sh", "-c",
            #"mount -t tmpfs -o size="$1"m tmpfs "$0" && echo mounted && exec sleep 100000"#, mountPoint, "\(megabytes)",
        ])
        let holder = self.holder
        guard await eventually(timeout: .seconds(10), { holder.log.contains("mounted") }) else {
            throw PeerError("cannot mount a tmpfs in a namespace of its own: \(holder.log)")
        }
    }

    /// The mount point as this (host) process reaches it.
    var hostPath: String { "/proc/\(holder.process.processIdentifier)/root" + mountPoint }

    /// Starts `executable` inside the namespace (its network is the host's).
    func launch(name: String, executable: String, arguments: [String]) throws -> ChildProcess {
        try ChildProcess(name: name, executable: "/usr/bin/nsenter", arguments: [
            "--target", "\(holder.process.processIdentifier)", "--user", "--mount", "--", executable,
        ] + arguments)
    }

    /// Fills the tmpfs with a ballast file until no byte is left.
    func fill() async throws {
        _ = try await runToolAsync("/usr/bin/dd", ["if=/dev/zero", "of=\(hostPath)/ballast", "bs=64k"])
    }

    /// Removes the ballast: the space is back.
    func free() throws { try FileManager.default.removeItem(atPath: hostPath + "/ballast") }

    deinit { holder.signal(SIGKILL) }
}
