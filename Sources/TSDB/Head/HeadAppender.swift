import MetricModel

/// Buffers samples for one commit to the ``Head``.
struct HeadAppender: Appender {
    let head: Head
    private var pending: [Head.PendingSample] = []
    private var pendingHistograms: [Head.PendingHistogram] = []

    init(head: Head) { self.head = head }

    mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, v: Double) -> SeriesRef {
        let r = ref ?? head.getOrCreate(labels)
        pending.append(Head.PendingSample(ref: r, labels: labels, t: t, v: v))
        return r
    }

    mutating func append(known ref: SeriesRef, t: Int64, v: Double) {
        pending.append(Head.PendingSample(ref: ref, labels: nil, t: t, v: v))
    }

    mutating func append(ref: SeriesRef?, labels: Labels, t: Int64, histogram: HistogramValue) -> SeriesRef {
        let r = ref ?? head.getOrCreate(labels)
        pendingHistograms.append(Head.PendingHistogram(ref: r, labels: labels, t: t, value: histogram))
        return r
    }

    mutating func commit() throws(StorageIOError) -> AppendReport {
        defer {
            pending.removeAll(keepingCapacity: true)
            pendingHistograms.removeAll()
        }
        return try head.commit(pending, histograms: pendingHistograms)
    }

    mutating func rollback() {
        pending.removeAll(keepingCapacity: true)
        pendingHistograms.removeAll()
    }
}
