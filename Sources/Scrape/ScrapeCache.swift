import Exposition
import MetricModel
import TSDB

/// Per-target memory of series seen in scrapes, keyed by the raw series text of the body.
///
/// A steady target sends the same series every time, so after the first scrape each sample
/// costs one hash and one byte comparison: no label parsing, no relabeling, no index lookup.
struct ScrapeCache: Sendable {
    struct Entry: Sendable {
        var key: [UInt8]
        /// nil when metric relabeling dropped the series.
        var labels: Labels?
        var ref: SeriesRef?
        /// Iteration in which the series was last present.
        var lastSeen: UInt64
        /// Whether the last sample carried its own timestamp (no staleness marker then).
        var explicitTimestamp: Bool
    }

    private(set) var entries: [Entry] = []
    private var table: [UInt64: [Int]] = [:]
    private(set) var iteration: UInt64 = 0
    /// Entries present in the previous successful scrape.
    private var previous: [Int] = []
    private var current: [Int] = []
    /// HELP/TYPE/UNIT by metric family, for the metadata API.
    private(set) var metadata: [String: MetricMetadata] = [:]

    static func hash(_ key: ArraySlice<UInt8>) -> UInt64 { FNV1a64.hash(key) }

    mutating func beginScrape() {
        iteration &+= 1
        current.removeAll(keepingCapacity: true)
    }

    func find(_ key: ArraySlice<UInt8>, hash: UInt64) -> Int? {
        guard let candidates = table[hash] else { return nil }
        for i in candidates where entries[i].key.elementsEqual(key) { return i }
        return nil
    }

    mutating func insert(_ key: ArraySlice<UInt8>, hash: UInt64, labels: Labels?) -> Int {
        entries.append(Entry(key: Array(key), labels: labels, ref: nil, lastSeen: 0, explicitTimestamp: false))
        let i = entries.count - 1
        table[hash, default: []].append(i)
        return i
    }

    /// Marks an entry as present in this scrape; false when it was already (a duplicate series).
    mutating func markSeen(_ i: Int, explicitTimestamp: Bool) -> Bool {
        if entries[i].lastSeen == iteration { return false }
        entries[i].lastSeen = iteration
        entries[i].explicitTimestamp = explicitTimestamp
        current.append(i)
        return true
    }

    mutating func setRef(_ i: Int, _ ref: SeriesRef) { entries[i].ref = ref }

    mutating func recordMetadata(_ entry: ExpositionEntry) {
        switch entry {
        case .help(let m, let text): metadata[m, default: MetricMetadata()].help = text
        case .type(let m, let t): metadata[m, default: MetricMetadata()].type = t
        case .unit(let m, let u): metadata[m, default: MetricMetadata()].unit = u
        case .sample: break
        }
    }

    /// Series seen in the previous scrape but not this one (and without explicit timestamps).
    func disappeared() -> [Entry] {
        previous.compactMap { i in
            let e = entries[i]
            return e.lastSeen != iteration && e.labels != nil && !e.explicitTimestamp ? e : nil
        }
    }

    /// Every series of the last scrape, for markers when the target goes away.
    func lastScrapeSeries() -> [Entry] {
        previous.compactMap { entries[$0].labels != nil && !entries[$0].explicitTimestamp ? entries[$0] : nil }
    }

    /// Ends a scrape. A failed scrape counts as empty: everything before goes stale.
    mutating func endScrape(success: Bool) {
        previous = success ? current : []
        // Forget series absent for a while so a churning target does not grow the cache forever.
        if entries.count > 1024, entries.count > 2 * max(previous.count, 1) { compact() }
    }

    private mutating func compact() {
        let keep = Set(previous)
        var remap: [Int: Int] = [:]
        var kept: [Entry] = []
        for (i, e) in entries.enumerated() where keep.contains(i) || iteration &- e.lastSeen < 2 {
            remap[i] = kept.count
            kept.append(e)
        }
        entries = kept
        table = [:]
        for (i, e) in entries.enumerated() { table[Self.hash(e.key[...]), default: []].append(i) }
        previous = previous.compactMap { remap[$0] }
        current = current.compactMap { remap[$0] }
    }
}

/// What HELP, TYPE and UNIT lines said about a metric family.
public struct MetricMetadata: Sendable, Hashable {
    public var type: MetricType = .unknown
    public var help: String = ""
    public var unit: String = ""
}
