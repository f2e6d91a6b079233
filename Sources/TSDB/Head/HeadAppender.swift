import MetricModel

/// Buffers samples for one commit to the ``Head``.
struct HeadAppender: Appender {
    let head: Head
    private var pending: [Head.PendingSample] = []

    init(head: Head) { self.head = head }

    mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, v: Double) -> SeriesRef {
        let r = ref ?? head.getOrCreate(labels)
        pending.append(Head.PendingSample(ref: r, labels: labels, t: t, v: v))
        return r
    }

    mutating func appendFirst(labels: Labels, t: Int64, v: Double) -> (ref: SeriesRef, labels: Labels) {
        let (ref, stored) = head.getOrCreateStored(labels)
        pending.append(Head.PendingSample(ref: ref, labels: stored, t: t, v: v))
        return (ref, stored)
    }

    mutating func commit() throws(StorageIOError) -> AppendReport {
        defer { pending.removeAll(keepingCapacity: true) }
        return try head.commit(pending)
    }

    mutating func rollback() { pending.removeAll(keepingCapacity: true) }
}
