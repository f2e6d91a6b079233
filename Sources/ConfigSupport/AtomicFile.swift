import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers, and a restart after a crash at any moment, see the old or the
/// new content, never a mix or nothing: the data goes to a temporary file of a unique name
/// beside it, is fsynced, renamed over the file, and the directory is fsynced so the rename
/// itself survives a power cut. Writers of one path are serialized. Shared by the Alertmanager's
/// silences and notification log and the push API's groups.
package enum AtomicFile {
    /// The steps of a write, in order; tests stop a write after any of them to play a crash.
    package enum Step: CaseIterable, Sendable {
        case createdTemporary, wroteData, syncedTemporary, renamed, syncedDirectory
    }

    /// A write stopped on purpose after a step (tests only).
    package struct SimulatedCrash: Error {}

    private static let writers = NSLock()

    package static func write(_ data: Data, to path: String, crashAfter crash: Step? = nil) throws {
        writers.lock()
        defer { writers.unlock() }
        let dir = FilePaths.directory(of: path)
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let temp = "\(path).tmp-\(getpid())-\(UInt64.random(in: 0 ... .max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error("create", temp) }
        var closed = false
        defer { if !closed { close(fd) } }
        if crash == .createdTemporary { throw SimulatedCrash() }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let n = posixWrite(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw error("write", temp)
                }
                offset += n
            }
        }
        if crash == .wroteData { throw SimulatedCrash() }
        guard fsync(fd) == 0 else { throw error("fsync", temp) }
        close(fd)
        closed = true
        if crash == .syncedTemporary { throw SimulatedCrash() }
        guard rename(temp, path) == 0 else {
            let e = error("rename", temp)
            unlink(temp)
            throw e
        }
        if crash == .renamed { throw SimulatedCrash() }
        let dirfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
        if crash == .syncedDirectory { throw SimulatedCrash() }
    }

    /// Removes temporary files a crashed write left beside `path`.
    package static func removeLeftovers(of path: String) {
        let dir = FilePaths.directory(of: path)
        let prefix = (path as NSString).lastPathComponent + ".tmp"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return }
        for name in names where name.hasPrefix(prefix) {
            unlink(dir.isEmpty ? name : dir + "/" + name)
        }
    }

    private static func error(_ operation: String, _ path: String) -> CocoaError {
        CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(operation) \(path): \(String(cString: strerror(errno)))"])
    }
}

/// `write(2)`, named apart from ``AtomicFile/write(_:to:crashAfter:)``.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
