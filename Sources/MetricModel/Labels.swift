/// A series' identity: label pairs sorted by name, names unique, no empty values.
///
/// Construction through ``init(_:)`` or ``LabelsBuilder`` keeps the invariant; the storage is a
/// plain array so iteration and comparison stay cheap.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
    public private(set) var pairs: [Label]
    /// Hashed once at construction: label sets are dictionary keys all over the query engine.
    private let cachedHash: Int

    private static func hash(_ pairs: [Label]) -> Int { hash(count: pairs.count, pairs) }

    private static func hash<S: Sequence<Label>>(count: Int, _ pairs: S) -> Int {
        var h = Hasher()
        h.combine(count)
        for p in pairs {
            h.combine(p.name)
            h.combine(p.value)
        }
        return h.finalize()
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(cachedHash) }

    /// The hash computed at construction (seeded per process), for tables that bucket label sets
    /// without running a `Hasher` per lookup.
    package var precomputedHash: Int { cachedHash }

    public static func == (a: Labels, b: Labels) -> Bool { a.cachedHash == b.cachedHash && a.pairs == b.pairs }

    public static let empty = Labels(sorted: [])

    /// Builds labels from arbitrary pairs: sorts, drops empty values, keeps the last of duplicate names.
    public init(_ pairs: [Label]) {
        // Already in order with unique names and no empty value (labels read back from storage,
        // most exposition lines): kept as they are, with no filtering or sorting.
        if pairs.indices.allSatisfy({ !pairs[$0].value.isEmpty && ($0 == 0 || pairs[$0 - 1].name < pairs[$0].name) }) {
            self.pairs = pairs
            self.cachedHash = Self.hash(pairs)
            return
        }
        var sorted = pairs.filter { !$0.value.isEmpty }
        sorted.sort { $0.name < $1.name }
        var out: [Label] = []
        out.reserveCapacity(sorted.count)
        for p in sorted {
            if let last = out.last, last.name == p.name { out[out.count - 1] = p } else { out.append(p) }
        }
        self.pairs = out
        self.cachedHash = Self.hash(out)
    }

    public init(_ dict: [String: String]) {
        self.init(dict.map { Label($0.key, $0.value) })
    }

    /// Wraps pairs the caller guarantees are sorted by unique name with non-empty values.
    public init(sorted pairs: [Label]) {
        self.pairs = pairs
        self.cachedHash = Self.hash(pairs)
    }

    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }

    /// The value of `name`, or the empty string when absent (Prometheus treats both alike).
    public subscript(name: String) -> String {
        get {
            for p in pairs where p.name == name { return p.value }
            return ""
        }
    }

    public func has(_ name: String) -> Bool { pairs.contains { $0.name == name } }

    public var metricName: String { self[LabelName.metricName] }

    /// A copy without the label `name` (the same labels when it is absent): dropping the metric
    /// name happens once per series of nearly every query, so no set is built for it.
    public func removing(_ name: String) -> Labels {
        guard let i = pairs.firstIndex(where: { $0.name == name }) else { return self }
        var rest = pairs
        rest.remove(at: i)
        return Labels(sorted: rest)
    }

    /// A copy without the named labels. The lists are the few names of a `by`, `without`,
    /// `on` or `ignoring` clause: comparing against each beats hashing every label name.
    public func removing(_ names: [String]) -> Labels {
        Labels(sorted: pairs.filter { !names.contains($0.name) })
    }

    /// A copy with the labels of `defaults` this set lacks added: how external labels join a
    /// series or an alert on its way out (its own labels win). The same labels when none is missing.
    public func addingAbsent(_ defaults: Labels) -> Labels {
        let missing = defaults.pairs.filter { !has($0.name) }
        return missing.isEmpty ? self : Labels(pairs + missing)
    }

    /// A copy keeping only the named labels.
    public func keeping(_ names: [String]) -> Labels {
        Labels(sorted: pairs.filter { names.contains($0.name) })
    }

    /// The ``precomputedHash`` that `keeping(names)` would have, without building it: an
    /// aggregation looks up each input series' group this way and builds a group's labels once.
    package func precomputedHash(keeping names: [String]) -> Int {
        var count = 0
        for p in pairs where names.contains(p.name) { count += 1 }
        return Self.hash(count: count, pairs.lazy.filter { names.contains($0.name) })
    }

    /// Whether these labels equal `other.keeping(names)`.
    package func isProjection(of other: Labels, keeping names: [String]) -> Bool {
        var i = 0
        for p in other.pairs where names.contains(p.name) {
            guard i < pairs.count, pairs[i] == p else { return false }
            i += 1
        }
        return i == pairs.count
    }

    /// A copy keeping the labels `include` accepts.
    public func filter(_ include: (Label) -> Bool) -> Labels {
        Labels(sorted: pairs.filter(include))
    }

    /// A stable 64-bit hash (FNV-1a over names and values with separators), identical across runs.
    public var stableHash: UInt64 {
        var h = FNV1a64()
        for p in pairs {
            h.add(p.name)
            h.add(byte: 0xFF)
            h.add(p.value)
            h.add(byte: 0xFF)
        }
        return h.value
    }

    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        // Compared in place: copying a label out would retain its strings. Query results are
        // sorted with this, so it runs n log n times per selector.
        lhs.pairs.withUnsafeBufferPointer { a in
            rhs.pairs.withUnsafeBufferPointer { b in
                let n = min(a.count, b.count)
                guard n > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return a.count < b.count }
                for i in 0..<n {
                    let x = pa + i, y = pb + i
                    if x.pointee.name != y.pointee.name { return x.pointee.name < y.pointee.name }
                    if x.pointee.value != y.pointee.value { return x.pointee.value < y.pointee.value }
                }
                return a.count < b.count
            }
        }
    }

    /// Prometheus' rendering: `name{a="x", b="y"}`.
    public var description: String {
        var out = ""
        var inner: [String] = []
        for p in pairs {
            if p.name == LabelName.metricName { out = p.value; continue }
            inner.append("\(p.name)=\"\(Labels.escape(p.value))\"")
        }
        return out + "{" + inner.joined(separator: ", ") + "}"
    }

    /// Every pair in braces, the name included: `{__name__="m", a="x"}` (Prometheus' error messages).
    public var fullDescription: String {
        "{" + pairs.map { "\($0.name)=\"\(Labels.escape($0.value))\"" }.joined(separator: ", ") + "}"
    }

    /// Label values as Prometheus prints them in series descriptions: quotes, backslashes and newlines escaped.
    static func escape(_ s: String) -> String { StringEscaping.escape(s, named: ["\n": "\\n"]) { _ in nil } }
}

/// Edits a label set and produces sorted ``Labels``: setting an empty value deletes.
public struct LabelsBuilder: Sendable {
    private var dict: [String: String]

    public init(_ labels: Labels = .empty) {
        dict = Dictionary(uniqueKeysWithValues: labels.pairs.map { ($0.name, $0.value) })
    }

    public subscript(name: String) -> String {
        get { dict[name] ?? "" }
        set { dict[name] = newValue.isEmpty ? nil : newValue }
    }

    public mutating func remove(_ name: String) { dict[name] = nil }

    public mutating func removeAll(where predicate: (String) -> Bool) {
        for k in dict.keys where predicate(k) { dict[k] = nil }
    }

    public var names: [String] { Array(dict.keys) }

    public func labels() -> Labels { Labels(dict) }
}
