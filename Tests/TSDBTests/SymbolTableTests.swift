import Testing
@testable import MetricModel
@testable import TSDB

/// The head's label strings: held once, counted per use, gone with their last series, and read
/// back as the same label sets.
@Suite struct SymbolTableTests {
    @Test func labelsReadBackEqualWhatWasInterned() throws {
        var symbols = SymbolTable()
        let labels = Labels(["__name__": "http_requests_total", "job": "api", "pod": String(repeating: "p", count: 60), "code": "200"])
        let interned = symbols.intern(labels)
        #expect(symbols.labels(of: interned) == labels)
        #expect(interned.equals(labels, in: symbols))
        #expect(!interned.equals(Labels(["__name__": "http_requests_total", "job": "api"]), in: symbols))
        #expect(interned.value(of: "pod", in: symbols) == String(repeating: "p", count: 60))
        #expect(interned.value(of: "absent", in: symbols) == "")
        #expect(interned.matches([try LabelMatcher(.equal, "job", "api"), try LabelMatcher(.equal, "absent", "")], in: symbols))
        #expect(!interned.matches([try LabelMatcher(.notEqual, "code", "200")], in: symbols))
    }

    @Test func aStringSharedBySeriesIsHeldOnceAndStaysUntilItsLastUseGoes() {
        var symbols = SymbolTable()
        let a = symbols.intern(Labels(["__name__": "up", "job": "a"]))
        let b = symbols.intern(Labels(["__name__": "up", "job": "b"]))
        // "__name__", "up", "job", "a", "b"
        #expect(symbols.count == 5)
        symbols.release(a)
        #expect(symbols.count == 4)
        #expect(symbols.id(of: "a") == nil)
        #expect(symbols.labels(of: b) == Labels(["__name__": "up", "job": "b"]))
        symbols.release(b)
        #expect(symbols.count == 0)
    }

    @Test func aLabelWhoseNameEqualsItsValueCountsBothUses() {
        var symbols = SymbolTable()
        let both = symbols.intern(Labels(["x": "x"]))
        let other = symbols.intern(Labels(["y": "x"]))
        symbols.release(both)
        #expect(symbols.id(of: "x") != nil)
        #expect(symbols.labels(of: other) == Labels(["y": "x"]))
        symbols.release(other)
        #expect(symbols.count == 0)
    }

    @Test func churnReusesIdsSoTheTableDoesNotGrow() {
        var symbols = SymbolTable()
        var live: [InternedLabels] = []
        var highestID: UInt32 = 0
        for round in 0..<200 {
            for k in 0..<50 {
                let labels = Labels(["__name__": "m", "pod": "pod-\(round)-\(k)"])
                let interned = symbols.intern(labels)
                highestID = max(highestID, interned.ids.max() ?? 0)
                live.append(interned)
            }
            while live.count > 100 { symbols.release(live.removeFirst()) }
        }
        // 100 live pod names plus "__name__", "m", "pod", and one round in flight.
        #expect(symbols.count == 103)
        #expect(highestID < 200)
    }
}
