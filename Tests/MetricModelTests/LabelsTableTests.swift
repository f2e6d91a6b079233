import Testing
@testable import MetricModel

/// Looking a group up by projection must agree with building `keeping(names)` and looking that up.
@Suite struct LabelsTableTests {
    static let series: [Labels] = [
        Labels(["__name__": "req_total", "instance": "a", "species": "setosa"]),
        Labels(["__name__": "req_total", "instance": "b", "species": "setosa"]),
        Labels(["__name__": "req_total", "instance": "a", "species": "virginica"]),
        Labels(["__name__": "other_total", "instance": "a"]),
        Labels(["__name__": "other_total", "job": "x"]),
        Labels(["instance": "a", "species": "setosa"]),
    ]

    @Test(arguments: [[], ["species"], ["instance"], ["instance", "species"], ["__name__", "species"], ["missing"]])
    func projectionLookupMatchesBuiltKeys(names: [String]) {
        var byProjection = LabelsTable<Int>()
        var byKey = LabelsTable<Int>()
        for labels in Self.series {
            let a = byProjection.insert(projectionOf: labels, keeping: names) { 0 }
            let b = byKey.insert(labels.keeping(names)) { 0 }
            #expect(a.index == b.index)
            #expect(a.inserted == b.inserted)
            #expect(labels.precomputedHash(keeping: names) == labels.keeping(names).precomputedHash)
        }
        #expect(byProjection.keys == byKey.keys)
    }

    @Test func aProjectionIsNotEqualToAPrefixOrSuperset() {
        let labels = Labels(["instance": "a", "species": "setosa"])
        #expect(labels.keeping(["instance"]).isProjection(of: labels, keeping: ["instance"]))
        #expect(!Labels(["instance": "a"]).isProjection(of: labels, keeping: ["instance", "species"]))
        #expect(!labels.isProjection(of: labels, keeping: ["instance"]))
        #expect(Labels.empty.isProjection(of: labels, keeping: ["job"]))
    }
}
