#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory: block indexes and chunk segments are read in place,
/// so the kernel's page cache, not the heap, holds what queries touch.
///
/// Unchecked `Sendable`: the mapping is never written and lives until the last reference goes.
final class MappedFile: @unchecked Sendable {
    let path: String
    let bytes: UnsafeRawBufferPointer

    /// Maps `path` (`length` bytes of it, which may reach past its current end for a file still
    /// being appended to: only bytes already written are ever read); an empty file maps to an
    /// empty buffer.
    init(path: String, length: Int? = nil) throws(StorageIOError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw StorageIOError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StorageIOError(operation: "stat", path: path, errno: errno) }
        let size = length ?? Int(st.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else { throw StorageIOError(operation: "mmap", path: path, errno: errno) }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    var count: Int { bytes.count }
}
