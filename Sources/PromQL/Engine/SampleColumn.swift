/// One series' part of a column of timestamps or values decoded for a whole selector.
///
/// A selector's series are decoded back to back into one array of timestamps and one of
/// values; each series sees its part from index 0. Two allocations per selector instead of two
/// per series, which is much of the cost of a small query over many series.
struct SampleColumn<Element>: RandomAccessCollection {
    private let storage: [Element]
    private let offset: Int
    let count: Int

    init(_ storage: [Element], offset: Int, count: Int) {
        assert(offset >= 0 && count >= 0 && offset + count <= storage.count, "column part out of range")
        self.storage = storage
        self.offset = offset
        self.count = count
    }

    /// A column of its own.
    init(_ elements: [Element]) { self.init(elements, offset: 0, count: elements.count) }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(i: Int) -> Element {
        assert(i >= 0 && i < count, "index out of this series' part")
        return storage[offset + i]
    }

    /// The part as a buffer indexed from 0.
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[offset..<(offset + count)]))
        }
    }
}
