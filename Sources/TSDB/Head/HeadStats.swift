import Synchronization

/// Counters the head keeps for Vigil's own metrics.
public final class HeadStats: Sendable {
    public let samplesAppended = Atomic<Int>(0)
    public let outOfOrder = Atomic<Int>(0)
    public let duplicates = Atomic<Int>(0)
    public let outOfBounds = Atomic<Int>(0)
    /// Native histograms refused as inconsistent.
    public let invalidHistograms = Atomic<Int>(0)
    public let seriesCreated = Atomic<Int>(0)
    public let replayedSamples = Atomic<Int>(0)
    public let walCorruptions = Atomic<Int>(0)
    /// WAL writes that failed (a full or failing disk); the samples of each were refused.
    public let walWriteFailures = Atomic<Int>(0)

    func record(_ r: AppendReport) {
        samplesAppended.add(r.appended, ordering: .relaxed)
        if r.outOfOrder > 0 { outOfOrder.add(r.outOfOrder, ordering: .relaxed) }
        if r.duplicate > 0 { duplicates.add(r.duplicate, ordering: .relaxed) }
        if r.outOfBounds > 0 { outOfBounds.add(r.outOfBounds, ordering: .relaxed) }
        if r.invalid > 0 { invalidHistograms.add(r.invalid, ordering: .relaxed) }
    }
}
