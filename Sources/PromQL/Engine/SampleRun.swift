import TSDB

/// Read access to samples in time order, wherever they live: a matrix series' own array, or a
/// window into a selector's decoded series (so range functions over a plain `metric[5m]` never
/// copy samples out at each step of a range query).
protocol SampleRun {
    var sampleCount: Int { get }
    func time(_ i: Int) -> Int64
    func value(_ i: Int) -> Double
    /// True when no value is below the one before it, known without a scan (counter functions
    /// then skip looking for resets); false when unknown.
    var knownNotToDecrease: Bool { get }
}

extension SampleRun {
    var knownNotToDecrease: Bool { false }

    /// The values alone, for statistics that sort or scan them more than once.
    var values: [Double] {
        var out: [Double] = []
        out.reserveCapacity(sampleCount)
        for i in 0..<sampleCount { out.append(value(i)) }
        return out
    }
}

extension Array: SampleRun where Element == Sample {
    var sampleCount: Int { count }
    func time(_ i: Int) -> Int64 { self[i].t }
    func value(_ i: Int) -> Double { self[i].v }
}

/// The samples `lo..<lo+sampleCount` of a decoded series that holds no staleness markers, read
/// through its arrays' storage (valid only inside `withUnsafeBufferPointer`; `lo` and
/// `sampleCount` come from searches within those arrays).
struct SeriesWindow: SampleRun {
    let ts: UnsafeBufferPointer<Int64>
    let vs: UnsafeBufferPointer<Double>
    let lo: Int
    let sampleCount: Int

    /// Set when the whole series never decreases (so neither does any window of it).
    var knownNotToDecrease = false

    func time(_ i: Int) -> Int64 { ts[lo + i] }
    func value(_ i: Int) -> Double { vs[lo + i] }
}
