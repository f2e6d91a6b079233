/// A map keyed by label sets, in insertion order, bucketed by each set's precomputed hash.
///
/// The query engine looks label sets up at every step of a range query (group keys, output
/// series); a `Dictionary` would run a `Hasher` per lookup, this table reuses the hash that
/// ``Labels`` computed once. Open addressing with linear probing, at most half full.
public struct LabelsTable<Value> {
    /// Index into `keys`/`values` per bucket, -1 when empty.
    private var buckets: [Int32]
    private var mask: Int
    /// Keys in insertion order.
    package private(set) var keys: [Labels] = []
    /// Values in insertion order, parallel to `keys`; mutate in place through `values[i]`.
    package var values: [Value] = []

    package init(capacity: Int = 8) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        buckets = Array(repeating: -1, count: size)
        mask = size - 1
    }

    package var count: Int { keys.count }
    package var isEmpty: Bool { keys.isEmpty }

    /// Walks the probe sequence of `hash`: the slot of the first key `matches` accepts, or the
    /// empty bucket where such a key would go.
    @inline(__always)
    private func probe(_ hash: Int, _ matches: (Labels) -> Bool) -> (slot: Int?, bucket: Int) {
        var b = hash & mask
        while true {
            let slot = Int(buckets[b])
            if slot < 0 { return (nil, b) }
            if matches(keys[slot]) { return (slot, b) }
            b = (b + 1) & mask
        }
    }

    /// Appends `key` into the empty `bucket` that probing found.
    private mutating func append(_ key: Labels, _ value: Value, at bucket: Int) -> Int {
        let slot = keys.count
        buckets[bucket] = Int32(truncatingIfNeeded: slot)
        keys.append(key)
        values.append(value)
        if keys.count * 2 > buckets.count { grow() }
        return slot
    }

    /// The position of `key` in insertion order, if present.
    package func index(of key: Labels) -> Int? {
        probe(key.precomputedHash) { $0 == key }.slot
    }

    /// The value for `key`, if present.
    package subscript(key: Labels) -> Value? {
        guard let i = index(of: key) else { return nil }
        return values[i]
    }

    /// The position of `key`, appending it with `value()` first when absent.
    @discardableResult
    package mutating func insert(_ key: Labels, _ value: () -> Value) -> (index: Int, inserted: Bool) {
        let (found, bucket) = probe(key.precomputedHash) { $0 == key }
        if let found { return (found, false) }
        return (append(key, value(), at: bucket), true)
    }

    /// The position of `labels.keeping(names)`, appending it with `value()` first when absent;
    /// the projected labels are built only then.
    @discardableResult
    package mutating func insert(projectionOf labels: Labels, keeping names: [String], _ value: () -> Value) -> (index: Int, inserted: Bool) {
        let hash = labels.precomputedHash(keeping: names)
        let (found, bucket) = probe(hash) { $0.precomputedHash == hash && $0.isProjection(of: labels, keeping: names) }
        if let found { return (found, false) }
        return (append(labels.keeping(names), value(), at: bucket), true)
    }

    private mutating func grow() {
        let size = buckets.count * 2
        buckets = Array(repeating: -1, count: size)
        mask = size - 1
        for (slot, key) in keys.enumerated() {
            var b = key.precomputedHash & mask
            while buckets[b] >= 0 { b = (b + 1) & mask }
            buckets[b] = Int32(truncatingIfNeeded: slot)
        }
    }
}

extension LabelsTable: Sendable where Value: Sendable {}
