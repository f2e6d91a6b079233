import MetricModel

/// A head series' labels as ids in the head's ``SymbolTable``: name then value for each pair, in
/// label order. Reading one needs the table; ``SymbolTable/labels(of:)`` gives the ``Labels``.
struct InternedLabels: Sendable {
    let ids: ContiguousArray<UInt32>

    /// Label pairs.
    var count: Int { ids.count / 2 }

    /// Whether these are exactly `labels`.
    func equals(_ labels: Labels, in symbols: SymbolTable) -> Bool {
        guard labels.count * 2 == ids.count else { return false }
        return ids.withUnsafeBufferPointer { ids in
            for (k, p) in labels.pairs.enumerated() where symbols[ids[2 * k]] != p.name || symbols[ids[2 * k + 1]] != p.value {
                return false
            }
            return true
        }
    }

    /// The value of `name`, or the empty string when absent.
    func value(of name: String, in symbols: SymbolTable) -> String {
        ids.withUnsafeBufferPointer { ids in
            var i = 0
            while i + 1 < ids.count {
                if symbols[ids[i]] == name { return symbols[ids[i + 1]] }
                i += 2
            }
            return ""
        }
    }

    /// Calls `body` with each label name, in order.
    func forEachName(in symbols: SymbolTable, _ body: (String) -> Void) {
        var i = 0
        while i < ids.count {
            body(symbols[ids[i]])
            i += 2
        }
    }

    /// Whether every matcher holds (an absent label reads as the empty value).
    func matches(_ matchers: [LabelMatcher], in symbols: SymbolTable) -> Bool {
        matchers.allSatisfy { $0.matches(value(of: $0.name, in: symbols)) }
    }
}
