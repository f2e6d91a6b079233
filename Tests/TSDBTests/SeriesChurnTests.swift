import MetricModel
import Testing
@testable import TSDB

/// Pods that come and go: the head's series table stays as long as the most series live at once,
/// and a reference handed out for a dropped series never reaches the series that took its slot.
@Suite struct SeriesChurnTests {
    static func labels(_ generation: Int, _ i: Int) -> Labels {
        Labels(["__name__": "model_requests_total", "pod": "api-\(generation)-\(i)"])
    }

    @Test func churnReusesSlotsAndNeverReusesReferences() throws {
        let head = Head.inMemory()
        var seen = Set<SeriesRef>()
        var firstRefs: [SeriesRef] = []
        for generation in 0..<20 {
            // 100 pods, each scraped for ten minutes, then gone for good.
            let start = Int64(generation) * 600_000
            var refs = [SeriesRef?](repeating: nil, count: 100)
            for step in 0..<40 {
                var app = head.appender()
                for i in 0..<100 {
                    refs[i] = app.append(ref: refs[i], labels: Self.labels(generation, i), t: start + Int64(step) * 15_000, v: Double(step))
                }
                _ = try app.commit()
            }
            if generation == 0 { firstRefs = refs.compactMap { $0 } }
            for ref in refs.compactMap({ $0 }) { #expect(seen.insert(ref).inserted, "reference \(ref) given out twice") }
            if generation < 19 { head.truncate(before: start + 600_000) }
        }
        #expect(head.seriesSlots == 100)
        #expect(seen.count == 2000)

        // A stale reference (a scrape cache that kept generation 0's refs) appends to its own
        // labels, re-created, never to the pod that holds its old slot now.
        var app = head.appender()
        _ = app.append(ref: firstRefs[7], labels: Self.labels(0, 7), t: 20 * 600_000, v: 42)
        _ = try app.commit()
        let stale = head.select([try LabelMatcher(.equal, "pod", "api-0-7")], mint: .min, maxt: .max)
        #expect(stale.map { $0.samples().map(\.v) } == [[42]])
        let occupant = head.select([try LabelMatcher(.equal, "pod", "api-19-7")], mint: .min, maxt: .max)
        #expect(occupant.first?.samples().count == 40)
        #expect(head.seriesSlots == 101)
    }

    @Test func replayAfterChurnRestoresEverySeriesAndKeepsReferencesUnique() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.tooFarInFutureMs = nil
        let db = try Database(directory: dir.path, options: options)
        var expected: [Labels: [Double]] = [:]
        var given = Set<SeriesRef>()
        for generation in 0..<2 {
            var refs = [SeriesRef?](repeating: nil, count: 10)
            let start = Int64(generation) * 600_000
            for step in 0..<4 {
                var app = db.head.appender()
                for i in 0..<10 {
                    refs[i] = app.append(ref: refs[i], labels: Self.labels(generation, i), t: start + Int64(step) * 15_000, v: Double(step + i))
                    expected[Self.labels(generation, i), default: []].append(Double(step + i))
                }
                _ = try app.commit()
            }
            given.formUnion(refs.compactMap { $0 })
            if generation == 0 {
                // Gone, and a snapshot without them: the next pods reuse their slots.
                db.head.truncate(before: start + 600_000)
                try db.checkpoint()
                for i in 0..<10 { expected[Self.labels(generation, i)] = nil }
            }
        }
        #expect(given.count == 20)
        #expect(db.head.seriesSlots == 10)
        db.close()

        // The second pods come back from the WAL under their references, in the same slots.
        let reopened = try Database(directory: dir.path, options: options)
        var got: [Labels: [Double]] = [:]
        for s in reopened.head.select([], mint: .min, maxt: .max) { got[s.labels] = s.samples().map(\.v) }
        #expect(got == expected)
        #expect(reopened.head.seriesSlots == 10)
        #expect(Set(reopened.head.withState { $0.hot.map(\.ref) }).isSubset(of: given), "references changed across the restart")
        // Once they go too, a new pod reuses a slot under a reference never given before.
        reopened.head.truncate(before: .max)
        var app = reopened.head.appender()
        let ref = app.append(ref: nil, labels: Self.labels(9, 0), t: 3 * 600_000, v: 1)
        _ = try app.commit()
        #expect(!given.contains(ref), "reference \(ref) was given out before the restart")
        #expect(reopened.head.seriesSlots == 10)
    }
}
