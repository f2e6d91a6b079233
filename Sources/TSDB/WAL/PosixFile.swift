#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system failure, with the path and the operating system's message.
public struct StorageIOError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var path: String
    public var errno: Int32
    public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}

/// Thin POSIX file operations: the WAL needs to know exactly when bytes reach the kernel and disk.
enum PosixFile {
    static func openForAppend(_ path: String) throws(StorageIOError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw StorageIOError(operation: "open", path: path, errno: errno) }
        return fd
    }

    static func openForWrite(_ path: String) throws(StorageIOError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw StorageIOError(operation: "open", path: path, errno: errno) }
        return fd
    }

    /// Writes all bytes, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StorageIOError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageIOError(operation: "write", path: path, errno: errno)
            }
            offset += n
        }
    }

    static func sync(_ fd: Int32, path: String) throws(StorageIOError) {
        if fsync(fd) != 0 { throw StorageIOError(operation: "fsync", path: path, errno: errno) }
    }

    static func readAll(_ path: String) throws(StorageIOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw StorageIOError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageIOError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    /// The bytes of `path` from `offset` to its current end, or the first `limit` of them
    /// (empty when the file is shorter than `offset`).
    static func readTail(_ path: String, from offset: Int, limit: Int = .max) throws(StorageIOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw StorageIOError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var position = off_t(offset)
        while out.count < limit {
            let want = min(buffer.count, limit - out.count)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, position) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageIOError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
            position += off_t(n)
        }
        return out
    }

    static func truncate(_ path: String, to size: Int) throws(StorageIOError) {
        #if canImport(Glibc) || canImport(Musl)
        let r = Glibc.truncate(path, off_t(size))
        #else
        let r = Darwin.truncate(path, off_t(size))
        #endif
        if r != 0 { throw StorageIOError(operation: "truncate", path: path, errno: errno) }
    }

    /// Cuts an open file back to `size` bytes.
    static func truncate(_ fd: Int32, to size: Int, path: String) throws(StorageIOError) {
        if ftruncate(fd, off_t(size)) != 0 { throw StorageIOError(operation: "truncate", path: path, errno: errno) }
    }

    static func size(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func makeDirectories(_ path: String) throws(StorageIOError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw StorageIOError(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func remove(_ path: String) { unlink(path) }

    static func rename(_ from: String, _ to: String) throws(StorageIOError) {
        #if canImport(Glibc) || canImport(Musl)
        let r = Glibc.rename(from, to)
        #else
        let r = Darwin.rename(from, to)
        #endif
        if r != 0 { throw StorageIOError(operation: "rename", path: from, errno: errno) }
    }

    /// fsyncs a directory so a rename or a new file in it is durable.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func closeFile(_ fd: Int32) { close(fd) }
}

extension PosixFile {
    /// Writes a whole file through `<path>.tmp`: written, fsynced, renamed over `path`.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws(StorageIOError) {
        let tmp = path + ".tmp"
        let fd = try openForWrite(tmp)
        do {
            try writeAll(fd, bytes, path: tmp)
            try sync(fd, path: tmp)
        } catch {
            closeFile(fd)
            remove(tmp)
            throw error
        }
        closeFile(fd)
        try rename(tmp, path)
    }

    /// Whether `path` is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Recreates the directory tree `source` at `target` with every file hard-linked (copied
    /// when the two are on different file systems).
    static func linkTree(_ source: String, to target: String) throws(StorageIOError) {
        try makeDirectories(target)
        for name in list(source) {
            let from = source + "/" + name, to = target + "/" + name
            if isDirectory(from) {
                try linkTree(from, to: to)
            } else if link(from, to) != 0 {
                guard errno == EXDEV else { throw StorageIOError(operation: "link", path: from, errno: errno) }
                try writeDurably(try readAll(from), to: to)
            }
        }
    }

    /// Removes a directory and everything in it (no symlinks are followed).
    static func removeTree(_ path: String) {
        for name in list(path) {
            let child = path + "/" + name
            var st = stat()
            if lstat(child, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
        }
        rmdir(path)
    }
}
