import Synchronization

/// A bounded hand-over of batches from the WAL reader to one shard: `send` waits while the
/// shard is `capacity` batches behind (so a slow receiver slows reading, not memory), `next`
/// waits for work, and `close` lets the shard finish what is queued and stop.
final class BatchChannel<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var closed = false
        var consumer: CheckedContinuation<Element?, Never>?
        var producers: [CheckedContinuation<Void, Never>] = []
    }

    private enum SendStep {
        case done, handed(CheckedContinuation<Element?, Never>), full
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Queues `element`, first waiting while the channel is full. Sending on a closed channel
    /// drops the element.
    func send(_ element: Element) async {
        while true {
            let step: SendStep = state.withLock { s in
                if s.closed { return .done }
                if let consumer = s.consumer {
                    s.consumer = nil
                    return .handed(consumer)
                }
                if s.items.count < capacity {
                    s.items.append(element)
                    return .done
                }
                return .full
            }
            switch step {
            case .done:
                return
            case .handed(let consumer):
                consumer.resume(returning: element)
                return
            case .full:
                // Woken when the shard takes a batch (or the channel closes), then try again.
                await withCheckedContinuation { (wait: CheckedContinuation<Void, Never>) in
                    let room = state.withLock { s in
                        if s.closed || s.items.count < capacity { return true }
                        s.producers.append(wait)
                        return false
                    }
                    if room { wait.resume() }
                }
            }
        }
    }

    /// The next batch, or nil once the channel is closed and empty.
    func next() async -> Element? {
        await withCheckedContinuation { (wait: CheckedContinuation<Element?, Never>) in
            let (item, producer, finished): (Element?, CheckedContinuation<Void, Never>?, Bool) = state.withLock { s in
                if !s.items.isEmpty {
                    let item = s.items.removeFirst()
                    let producer = s.producers.isEmpty ? nil : s.producers.removeFirst()
                    return (item, producer, false)
                }
                if s.closed { return (nil, nil, true) }
                s.consumer = wait
                return (nil, nil, false)
            }
            producer?.resume()
            if item != nil || finished { wait.resume(returning: item) }
        }
    }

    /// Ends the channel: queued batches are still delivered, waiting producers drop theirs.
    func close() {
        let (consumer, producers) = state.withLock { s in
            s.closed = true
            let consumer = s.items.isEmpty ? s.consumer : nil
            if consumer != nil { s.consumer = nil }
            defer { s.producers = [] }
            return (consumer, s.producers)
        }
        consumer?.resume(returning: nil)
        for p in producers { p.resume() }
    }

    /// Batches queued and not yet taken.
    var count: Int { state.withLock { $0.items.count } }
}
