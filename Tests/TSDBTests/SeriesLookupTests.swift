import Testing
@testable import MetricModel
@testable import TSDB

/// The head's table from labels to slots: found while present, gone once removed, whatever the
/// order of removals and however the hashes collide.
@Suite struct SeriesLookupTests {
    static func labels(_ i: Int) -> Labels { Labels([Label("__name__", "m"), Label("i", "\(i)")]) }

    @Test func churnInRandomOrderKeepsEveryPresentSeriesFindableAndNoOther() {
        var generator = SystemRandomNumberGenerator()
        var lookup = SeriesLookup()
        var symbols = SymbolTable()
        var series: [MemSeries?] = []
        var live = Set<Int>()
        var next = 0
        for round in 0..<40 {
            for _ in 0..<500 {
                let slot = series.count
                series.append(MemSeries(ref: SeriesRef(slot + 1), labels: symbols.intern(Self.labels(next))))
                lookup.insert(slot: slot, labels: Self.labels(next))
                live.insert(slot)
                next += 1
            }
            for slot in live.shuffled(using: &generator).prefix(round % 2 == 0 ? 300 : 700) {
                lookup.remove(slot: slot, labels: symbols.labels(of: series[slot]!.labels))
                symbols.release(series[slot]!.labels)
                live.remove(slot)
                series[slot] = nil
            }
            lookup.shrinkIfSparse()
            #expect(lookup.count == live.count)
            // One string per live series ("i" values) plus the shared "__name__", "m" and "i",
            // which go with the last series.
            #expect(symbols.count == (live.isEmpty ? 0 : live.count + 3))
        }
        var missing = 0, phantom = 0
        for slot in series.indices {
            let found = lookup.slot(of: Self.labels(Int(slot)), in: series, symbols: symbols)
            if live.contains(slot) { if found != slot { missing += 1 } } else if found != nil { phantom += 1 }
        }
        #expect(missing == 0 && phantom == 0)
    }

    @Test func aRemovedSeriesIsNotFoundAndRemovingTwiceChangesNothing() {
        var lookup = SeriesLookup()
        var symbols = SymbolTable()
        let series: [MemSeries?] = (0..<3).map { MemSeries(ref: SeriesRef($0 + 1), labels: symbols.intern(Self.labels($0))) }
        for i in 0..<3 { lookup.insert(slot: i, labels: Self.labels(i)) }
        lookup.remove(slot: 1, labels: Self.labels(1))
        lookup.remove(slot: 1, labels: Self.labels(1))
        #expect(lookup.count == 2)
        #expect(lookup.slot(of: Self.labels(0), in: series, symbols: symbols) == 0)
        #expect(lookup.slot(of: Self.labels(2), in: series, symbols: symbols) == 2)
        // The table no longer names slot 1, even though the series table still holds its labels.
        #expect(lookup.slot(of: Self.labels(1), in: series, symbols: symbols) == nil)
    }
}
