import MetricModel

/// Keeps one copy of each label name and value so thousands of series share their storage.
/// A set, not a map from a string to itself: one string per entry, half the bytes.
struct StringInterner: Sendable {
    private var table: Set<String> = []

    mutating func intern(_ s: String) -> String {
        table.insert(s).memberAfterInsert
    }

    mutating func intern(_ labels: Labels) -> Labels {
        Labels(sorted: labels.pairs.map { Label(intern($0.name), intern($0.value)) })
    }

    var count: Int { table.count }
}
