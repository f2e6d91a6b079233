import MetricModel

/// Keeps one copy of each label name and value so thousands of series share their storage.
struct StringInterner: Sendable {
    private var table: [String: String] = [:]

    mutating func intern(_ s: String) -> String {
        if let existing = table[s] { return existing }
        table[s] = s
        return s
    }

    mutating func intern(_ labels: Labels) -> Labels {
        Labels(sorted: labels.pairs.map { Label(intern($0.name), intern($0.value)) })
    }

    var count: Int { table.count }
}
