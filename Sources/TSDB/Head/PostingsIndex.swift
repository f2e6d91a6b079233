import MetricModel

/// The inverted index: label name → value → sorted series references.
struct PostingsIndex: Sendable {
    private(set) var postings: [String: [String: [SeriesRef]]] = [:]
    /// Every live series reference, ascending.
    private(set) var all: [SeriesRef] = []

    /// Adds a new series; references grow monotonically, so appending keeps lists sorted. The
    /// keys are the symbol table's strings, so a long name or value is held once.
    mutating func add(_ ref: SeriesRef, _ labels: InternedLabels, symbols: SymbolTable) {
        all.append(ref)
        var i = 0
        while i + 1 < labels.ids.count {
            postings[symbols[labels.ids[i]], default: [:]][symbols[labels.ids[i + 1]], default: []].append(ref)
            i += 2
        }
    }

    /// Removes series (by a set, after retention).
    mutating func remove(_ refs: Set<SeriesRef>, labels: [Labels]) {
        guard !refs.isEmpty else { return }
        all.removeAll { refs.contains($0) }
        for ls in labels {
            for l in ls.pairs {
                postings[l.name]?[l.value]?.removeAll { refs.contains($0) }
                if postings[l.name]?[l.value]?.isEmpty == true { postings[l.name]?[l.value] = nil }
                if postings[l.name]?.isEmpty == true { postings[l.name] = nil }
            }
        }
    }

    var labelNames: [String] { postings.keys.sorted() }

    func values(of name: String) -> [String] { postings[name].map { $0.keys.sorted() } ?? [] }

    /// References whose `name` label satisfies `matcher`, for a matcher that rejects the empty value.
    func refs(matching matcher: LabelMatcher) -> [SeriesRef] {
        guard let values = postings[matcher.name] else { return [] }
        if let exact = matcher.exactValues {
            let lists = exact.compactMap { values[$0] }
            return lists.count == 1 ? lists[0] : Self.union(lists)
        }
        var lists: [[SeriesRef]] = []
        for (value, refs) in values where matcher.matches(value) { lists.append(refs) }
        return lists.count == 1 ? lists[0] : Self.union(lists)
    }

    /// Candidate references for a conjunction of matchers: intersects the postings of every matcher
    /// that cannot match an absent label. Matchers that can are checked by the caller on labels.
    func candidates(_ matchers: [LabelMatcher]) -> [SeriesRef] {
        var result: [SeriesRef]?
        // Cheapest first: exact matches have short lists and need no scan of values.
        let ordered = matchers.filter { !$0.matchesEmpty }.sorted { ($0.exactValues != nil ? 0 : 1) < ($1.exactValues != nil ? 0 : 1) }
        for m in ordered {
            let refs = refs(matching: m)
            result = result.map { Self.intersect($0, refs) } ?? refs
            if result?.isEmpty == true { return [] }
        }
        return result ?? all
    }

    static func intersect(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var out: [SeriesRef] = []
        out.reserveCapacity(min(a.count, b.count))
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] { out.append(a[i]); i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return out
    }

    static func union(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        var out = lists.flatMap { $0 }
        out.sort()
        var unique: [SeriesRef] = []
        unique.reserveCapacity(out.count)
        for r in out where unique.last != r { unique.append(r) }
        return unique
    }
}
