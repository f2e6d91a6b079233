import NIOCore
import NIOPosix
import PromQL

/// Admits queries, at most `--query.max-concurrency` at once, and runs each where its size says.
///
/// Vigil's entry point makes SwiftNIO's event loops the global executor, so a request handler
/// runs on the event loop that read the request and a small query answers without a thread
/// switch. A large query must not run there: it would stall every other connection of that loop
/// until it finished. Each query is therefore prepared first (parsed, series selected, nothing
/// decoded), and one whose estimated cost is above ``inlineCostLimit`` is handed to NIO's
/// blocking pool; the event loop goes back to serving I/O. Prometheus gets the same isolation
/// from Go's preemptive scheduler.
public struct QueryScheduler: Sendable {
    /// Estimated cost (``PreparedQuery/estimatedCost``) up to which a query runs where it was
    /// prepared: a few milliseconds of work at most, which is how long the other connections of
    /// that event loop may wait. Every instant query of the benchmark's dashboard battery stays
    /// under it (the largest, a regex over 2,400 series, estimates about 190,000); every 1 h
    /// range query of it is far above.
    public static let defaultInlineCostLimit = 250_000

    let gate: QueryGate
    let inlineCostLimit: Int
    private let pool: NIOThreadPool

    public init(maxConcurrency: Int, maxQueue: Int = .max, inlineCostLimit: Int = Self.defaultInlineCostLimit, pool: NIOThreadPool = .singleton) {
        self.gate = QueryGate(limit: maxConcurrency, maxWaiting: maxQueue)
        self.inlineCostLimit = inlineCostLimit
        self.pool = pool
    }

    /// Waits for a free slot (or answers `unavailable` at once when the queue is full), prepares the query, evaluates it and passes the outcome to
    /// `finish` (which renders the response on the same thread, so large results are encoded
    /// off the event loop too). Work sent to the pool resumes on `eventLoop`, the connection's.
    func run<Output: Sendable>(
        on eventLoop: any EventLoop,
        _ prepare: () throws(QueryError) -> PreparedQuery,
        finish: @escaping @Sendable (Result<QueryResult, QueryError>) -> Output
    ) async -> Output {
        guard await gate.acquire() else {
            return finish(.failure(QueryError(.unavailable, "too many queries are waiting (--query.max-queue); try again later")))
        }
        let output: Output
        do {
            let prepared = try prepare()
            let work: @Sendable () -> Output = { finish(Result { () throws(QueryError) in try prepared.run() }) }
            if prepared.estimatedCost <= inlineCostLimit {
                output = work()
            } else {
                // The pool refuses work only while the process shuts down; the query then runs here.
                output = (try? await pool.runIfActive(eventLoop: eventLoop, work).get()) ?? work()
            }
        } catch {
            output = finish(.failure(error))
        }
        await gate.release()
        return output
    }
}
