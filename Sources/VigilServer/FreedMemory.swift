#if canImport(Glibc)
import Glibc
#endif

/// Hands memory the process has freed back to the system. glibc's allocator keeps freed pages for
/// reuse, so after a burst (a block cut, a compaction, a backfill whose chunks went to disk) the
/// resident size would stay at the burst's peak; `malloc_trim` releases the free pages of every
/// arena. Looked up at run time: other C libraries have no such call, and need none.
enum FreedMemory {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
        #else
        return nil
        #endif
    }()

    /// Releases free heap pages to the system; cheap when there are none.
    static func release() { _ = trim?(0) }
}
