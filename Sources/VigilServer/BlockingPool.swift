import NIOPosix

/// NIO's blocking pool, for work that holds a thread for long (WAL replay, fsyncs, snapshots,
/// retention, rule group evaluations): the server's tasks run on event loops (see `VigilMain`),
/// whose connections would wait for it.
enum BlockingPool {
    /// Runs `work` on the pool and waits for it; runs it here should the pool refuse (it does
    /// only while the process shuts down).
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(work)
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            return try work()
        }
    }
}
