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
    /// One series of the target, in 56 bytes: fields are ordered so none is padded.
    struct Entry: Sendable {
        /// The key's hash, compared before its bytes.
        var hash: UInt64
        /// Iteration in which the series was last present.
        var lastSeen: UInt64
        var lastValue: Double = .nan
        /// The storage's reference (0 until the series' first append: references are never 0).
        private var storedRef: SeriesRef = 0
        /// Where the raw series text lies in ``keyBytes``: every key in one array, not one
        /// allocation per series.
        var keyStart: Int
        var keyLength: Int
        /// Whether metric relabeling dropped the series. A kept series' labels are not held here:
        /// the storage holds them, and the cache appends by reference alone (a series the storage
        /// forgot gets its labels again from ``ScrapeCache/key(of:)``).
        var dropped: Bool
        /// Whether the last sample carried its own timestamp (no staleness marker then).
        var explicitTimestamp: Bool
        /// Whether the series counts up (a counter, a histogram's buckets and count): then
        /// ``lastValue`` is its previous value, to notice when it goes down.
        var isCumulative: Bool

        init(hash: UInt64, keyStart: Int, keyLength: Int, dropped: Bool, isCumulative: Bool) {
            self.hash = hash
            self.lastSeen = 0
            self.keyStart = keyStart
            self.keyLength = keyLength
            self.dropped = dropped
            self.explicitTimestamp = false
            self.isCumulative = isCumulative
        }

        /// The storage's reference, from the series' first append on.
        var ref: SeriesRef? {
            get { storedRef == 0 ? nil : storedRef }
            set { storedRef = newValue ?? 0 }
        }
    }

    private(set) var entries: [Entry] = []
    /// The raw series text of every entry, back to back.
    private var keyBytes: [UInt8] = []
    /// Entries by the hash of their raw series text: open addressing with linear probing, at
    /// most half full, each bucket an entry's index plus one (0: empty). The hash is computed once
    /// per sample (FNV-1a over the key); no `Hasher` runs on the per-sample path.
    private var buckets: [UInt32] = Array(repeating: 0, count: 64)
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
        // Fields are read in place: copying an entry out would retain and release its labels.
        entries.withUnsafeBufferPointer { list in
            keyBytes.withUnsafeBufferPointer { keys in
                key.withUnsafeBufferPointer { wanted in
                    buckets.withUnsafeBufferPointer { table in
                        let mask = table.count - 1
                        var b = Self.home(hash, mask)
                        while table[b] != 0 {
                            let candidate = Int(table[b]) - 1
                            if list[candidate].hash == hash {
                                let start = list[candidate].keyStart, length = list[candidate].keyLength
                                if length == wanted.count, Self.equalBytes(keys.baseAddress.map { $0 + start }, wanted.baseAddress, length) {
                                    return candidate
                                }
                            }
                            b = (b + 1) & mask
                        }
                        return nil
                    }
                }
            }
        }
    }

    /// The first bucket a hash probes. FNV-1a's low bits mix poorly (its multiplies carry only
    /// upward), so the hash is multiplied once more and its upper half taken (Fibonacci hashing).
    @inline(__always)
    private static func home(_ hash: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Puts entry `i` (whose key hashes to `hash`) in the first empty bucket of its probe sequence.
    private static func place(_ i: Int, hash: UInt64, in buckets: inout [UInt32]) {
        let mask = buckets.count - 1
        var b = home(hash, mask)
        while buckets[b] != 0 { b = (b + 1) & mask }
        buckets[b] = UInt32(i + 1)
    }

    /// Buckets for `entries`, at most half full.
    private static func buckets(for entries: [Entry]) -> [UInt32] {
        var size = 64
        while size < entries.count * 2 + 2 { size *= 2 }
        var out = [UInt32](repeating: 0, count: size)
        for (i, e) in entries.enumerated() { place(i, hash: e.hash, in: &out) }
        return out
    }

    /// Whether `length` bytes at `a` and `b` are equal (no bytes are always equal).
    private static func equalBytes(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>?, _ length: Int) -> Bool {
        guard length > 0 else { return true }
        guard let a, let b else { return false }
        return memcmp(a, b, length) == 0
    }

    mutating func insert(_ key: ArraySlice<UInt8>, hash: UInt64, dropped: Bool, isCumulative: Bool = false) -> Int {
        let i = entries.count
        Self.reserveGently(&entries, adding: 1)
        entries.append(Entry(hash: hash, keyStart: keyBytes.count, keyLength: key.count, dropped: dropped, isCumulative: isCumulative))
        Self.reserveGently(&keyBytes, adding: key.count)
        keyBytes.append(contentsOf: key)
        if entries.count * 2 > buckets.count {
            buckets = Self.buckets(for: entries)
        } else {
            Self.place(i, hash: hash, in: &buckets)
        }
        return i
    }

    /// Grows `array` by an eighth when `adding` would not fit, instead of the doubling `append`
    /// does: the cache of a steady target keeps its size for days, and doubling left up to half
    /// of its entries and keys unused (amortised cost stays constant; only the constant grows).
    private static func reserveGently<T>(_ array: inout [T], adding n: Int) {
        let needed = array.count + n
        guard needed > array.capacity else { return }
        array.reserveCapacity(max(needed, array.count + array.count / 8 + 64))
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

    /// The entries holding each of `refs` (a linear scan: only for the rare series the storage
    /// forgot).
    func entries(holding refs: Set<SeriesRef>) -> [SeriesRef: Int] {
        var out: [SeriesRef: Int] = [:]
        for i in entries.indices { if let ref = entries[i].ref, refs.contains(ref) { out[ref] = i } }
        return out
    }

    /// Records a cumulative series' new value; true when it went down (a counter reset).
    mutating func recordCumulative(_ i: Int, _ value: Double) -> Bool {
        let wentDown = value < entries[i].lastValue
        entries[i].lastValue = value
        return wentDown
    }

    /// Whether a series of this metric name counts up, by the family's TYPE line (a counter; a
    /// histogram's `_bucket` and `_count`; a summary's `_count`) or, untyped, by a `_total` name.
    func isCumulative(metricName name: String) -> Bool {
        if let type = metadata[name]?.type, type != .unknown { return type == .counter }
        for (suffix, types) in Self.cumulativeSuffixes where name.hasSuffix(suffix) {
            let family = String(name.dropLast(suffix.count))
            if let type = metadata[family]?.type, type != .unknown { return types.contains(type) }
        }
        return name.hasSuffix("_total")
    }

    private static let cumulativeSuffixes: [(String, Set<MetricType>)] = [
        ("_total", [.counter]), ("_bucket", [.histogram]), ("_count", [.histogram, .summary]),
    ]

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
            return e.lastSeen != iteration && e.ref != nil && !e.explicitTimestamp ? e : nil
        }
    }

    /// Every series of the last scrape, for markers when the target goes away.
    func lastScrapeSeries() -> [Entry] {
        previous.compactMap { entries[$0].ref != nil && !entries[$0].explicitTimestamp ? entries[$0] : nil }
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
        for (i, e) in entries.enumerated() where keep.contains(i) || iteration &- e.lastSeen < 2 {
            remap[i] = kept.count
            var moved = e
            moved.keyStart = keptKeys.count
            keptKeys.append(contentsOf: keyBytes[e.keyStart..<e.keyStart + e.keyLength])
            kept.append(moved)
        }
        entries = kept
        keyBytes = keptKeys
        buckets = Self.buckets(for: kept)
        previous = previous.compactMap { remap[$0] }
        current = current.compactMap { remap[$0] }
    }
}

/// What HELP, TYPE and UNIT lines said about a metric family.
public struct MetricMetadata: Sendable, Hashable {
    public var type: MetricType = .unknown
    public var help: String = ""
    public var unit: String = ""

    public init(type: MetricType = .unknown, help: String = "", unit: String = "") {
        self.type = type
        self.help = help
        self.unit = unit
    }
}
