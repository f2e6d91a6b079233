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

    mutating func append(known ref: SeriesRef, t: Int64, v: Double) {
        pending.append(Head.PendingSample(ref: ref, labels: nil, t: t, v: v))
    }

    mutating func commit() throws(StorageIOError) -> AppendReport {
        defer { pending.removeAll(keepingCapacity: true) }
        return try head.commit(pending)
    }

    mutating func rollback() { pending.removeAll(keepingCapacity: true) }
}
