#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Exposition
import MetricModel
import TSDB

/// Per-target memory of series seen in scrapes, keyed by the raw series text of the body.
///
/// A steady target sends the same series every time, so after the first scrape each sample
/// costs one hash and one byte comparison: no label parsing, no relabeling, no index lookup.
struct ScrapeCache: Sendable {
    struct Entry: Sendable {
        /// Where the raw series text lies in ``keyBytes``: every key in one array, not one
        /// allocation per series.
        var keyStart: Int
        var keyLength: Int
        /// The next entry whose key has the same hash (-1: none).
        var nextWithSameHash: Int
        /// nil when metric relabeling dropped the series. Once the series is stored, the storage's
        /// own copy (see ``Appender/appendFirst(labels:t:v:)``), so the labels are held once.
        var labels: Labels?
        var ref: SeriesRef?
        /// Iteration in which the series was last present.
        var lastSeen: UInt64
        /// Whether the last sample carried its own timestamp (no staleness marker then).
        var explicitTimestamp: Bool
    }

    private(set) var entries: [Entry] = []
    /// The raw series text of every entry, back to back.
    private var keyBytes: [UInt8] = []
    /// Hash of the raw series text → the newest entry with that hash (older ones chained from it).
    private var table: [UInt64: Int] = [:]
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
        var candidate = table[hash] ?? -1
        // Fields are read in place: copying an entry out would retain and release its labels.
        return entries.withUnsafeBufferPointer { list in
            keyBytes.withUnsafeBufferPointer { keys in
                key.withUnsafeBufferPointer { wanted in
                    while candidate >= 0 {
                        let start = list[candidate].keyStart, length = list[candidate].keyLength
                        if length == wanted.count, Self.equalBytes(keys.baseAddress.map { $0 + start }, wanted.baseAddress, length) {
                            return candidate
                        }
                        candidate = list[candidate].nextWithSameHash
                    }
                    return nil
                }
            }
        }
    }

    /// Whether `length` bytes at `a` and `b` are equal (no bytes are always equal).
    private static func equalBytes(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>?, _ length: Int) -> Bool {
        guard length > 0 else { return true }
        guard let a, let b else { return false }
        return memcmp(a, b, length) == 0
    }

    mutating func insert(_ key: ArraySlice<UInt8>, hash: UInt64, labels: Labels?) -> Int {
        let i = entries.count
        entries.append(Entry(keyStart: keyBytes.count, keyLength: key.count, nextWithSameHash: table[hash] ?? -1,
                             labels: labels, ref: nil, lastSeen: 0, explicitTimestamp: false))
        keyBytes.append(contentsOf: key)
        table[hash] = i
        return i
    }

    /// The raw series text of entry `i`.
    func key(of i: Int) -> ArraySlice<UInt8> { keyBytes[entries[i].keyStart..<entries[i].keyStart + entries[i].keyLength] }

    /// Marks an entry as present in this scrape; false when it was already (a duplicate series).
    mutating func markSeen(_ i: Int, explicitTimestamp: Bool) -> Bool {
        if entries[i].lastSeen == iteration { return false }
        entries[i].lastSeen = iteration
        entries[i].explicitTimestamp = explicitTimestamp
        current.append(i)
        return true
    }

    mutating func setRef(_ i: Int, _ ref: SeriesRef) { entries[i].ref = ref }

    /// Records the series' reference and the labels as the storage keeps them.
    mutating func setStored(_ i: Int, ref: SeriesRef, labels: Labels) {
        entries[i].ref = ref
        entries[i].labels = labels
    }

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
        var keptKeys: [UInt8] = []
        table = [:]
        for (i, e) in entries.enumerated() where keep.contains(i) || iteration &- e.lastSeen < 2 {
            remap[i] = kept.count
            let key = keyBytes[e.keyStart..<e.keyStart + e.keyLength]
            let hash = Self.hash(key)
            var moved = e
            moved.keyStart = keptKeys.count
            moved.nextWithSameHash = table[hash] ?? -1
            table[hash] = kept.count
            keptKeys.append(contentsOf: key)
            kept.append(moved)
        }
        entries = kept
        keyBytes = keptKeys
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
