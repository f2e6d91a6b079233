/// Limits how many queries run at once (`--query.max-concurrency`); others wait their turn, up
/// to `--query.max-queue` of them. Beyond that a query is turned away at once (503), so a flood
/// of expensive queries cannot pile up without bound in memory.
actor QueryGate {
    private let limit: Int
    private let maxWaiting: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int, maxWaiting: Int = .max) {
        self.limit = max(1, limit)
        self.maxWaiting = max(0, maxWaiting)
    }

    /// Takes a slot, waiting for one if need be; false when the queue is full.
    func acquire() async -> Bool {
        if running < limit {
            running += 1
            return true
        }
        guard waiting.count < maxWaiting else { return false }
        await withCheckedContinuation { waiting.append($0) }
        return true
    }

    /// Gives a slot back (to the first waiting query, if any).
    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
