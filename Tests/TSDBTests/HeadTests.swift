import MetricModel
import Testing
@testable import TSDB

@Suite struct HeadTests {
    static func labels(_ name: String, _ extra: [String: String] = [:]) -> Labels {
        var d = extra
        d["__name__"] = name
        return Labels(d)
    }

    @Test func selectsByEqualityRegexAndNegation() throws {
        let head = Head.inMemory()
        var app = head.appender()
        for (i, species) in ["setosa", "versicolor", "virginica"].enumerated() {
            _ = app.append(ref: nil, labels: Self.labels("predictions_total", ["species": species, "job": "model-api"]), t: 1000, v: Double(i))
        }
        _ = app.append(ref: nil, labels: Self.labels("up", ["job": "node"]), t: 1000, v: 1)
        _ = try app.commit()

        let eq = head.select([try LabelMatcher(.equal, "__name__", "predictions_total")], mint: 0, maxt: 2000)
        #expect(eq.count == 3)
        let re = head.select([try LabelMatcher(.regexMatch, "species", "set.*|virginica")], mint: 0, maxt: 2000)
        #expect(re.map { $0.labels["species"] } == ["setosa", "virginica"])
        let ne = head.select([try LabelMatcher(.notEqual, "job", "model-api")], mint: 0, maxt: 2000)
        #expect(ne.map { $0.labels.metricName } == ["up"])
        // An absent label matches the empty value.
        let absent = head.select([try LabelMatcher(.equal, "species", ""), try LabelMatcher(.regexMatch, "__name__", ".+")], mint: 0, maxt: 2000)
        #expect(absent.map { $0.labels.metricName } == ["up"])
        #expect(head.labelValues("species", []) == ["setosa", "versicolor", "virginica"])
        #expect(head.labelNames([try LabelMatcher(.equal, "job", "node")]) == ["__name__", "job"])
    }

    @Test func rejectsOutOfOrderAndDuplicatesPerSample() throws {
        let head = Head.inMemory()
        var app = head.appender()
        let l = Self.labels("m")
        let ref = app.append(ref: nil, labels: l, t: 2000, v: 1)
        _ = try app.commit()
        _ = app.append(ref: ref, labels: l, t: 1000, v: 1)   // out of order
        _ = app.append(ref: ref, labels: l, t: 2000, v: 5)   // duplicate timestamp, new value
        _ = app.append(ref: ref, labels: l, t: 2000, v: 1)   // exact duplicate: ignored
        _ = app.append(ref: ref, labels: l, t: 3000, v: 2)
        _ = app.append(ref: ref, labels: l, t: 2500, v: 2)   // older than one earlier in this batch
        let r = try app.commit()
        #expect(r.appended == 1)
        #expect(r.outOfOrder == 2)
        #expect(r.duplicate == 1)
        #expect(r.ignoredDuplicates == 1)
        let samples = Array(head.select([try LabelMatcher(.equal, "__name__", "m")], mint: 0, maxt: 10_000)[0].samples())
        #expect(samples == [Sample(t: 2000, v: 1), Sample(t: 3000, v: 2)])
    }

    @Test func iteratesOnlyTheRequestedRangeAcrossChunks() throws {
        let head = Head.inMemory()
        var app = head.appender()
        var ref: SeriesRef?
        for i in 0..<1000 { ref = app.append(ref: ref, labels: Self.labels("m"), t: Int64(i) * 15_000, v: Double(i)) }
        _ = try app.commit()
        let series = head.select([try LabelMatcher(.equal, "__name__", "m")], mint: 150_000, maxt: 300_000)
        let ts = Array(series[0].samples(mint: 150_000, maxt: 300_000)).map(\.t)
        #expect(ts.first == 150_000)
        #expect(ts.last == 300_000)
        #expect(ts.count == 11)
    }

    @Test(arguments: [false, true])
    func selectReturnsSeriesInLabelOrderWhateverTheOrderTheyWereMadeIn(reversed: Bool) throws {
        let head = Head.inMemory()
        var app = head.appender()
        let instances = (0..<40).map { "host-\($0 * 7 % 40)" }
        for instance in reversed ? instances.sorted().reversed() : instances.sorted() {
            _ = app.append(ref: nil, labels: Self.labels("up", ["instance": instance]), t: 1000, v: 1)
        }
        _ = try app.commit()
        let found = head.select([try LabelMatcher(.equal, "__name__", "up")], mint: 0, maxt: 2000).map(\.labels)
        #expect(found.count == 40)
        #expect(found == found.sorted())
    }

    @Test func onlyTheNewestTwoChunksKeepDecoderCheckpoints() throws {
        var series = MemSeries(ref: 1, labels: InternedLabels(ids: []))
        for i in 0..<(XORChunk.targetSamples * 5 - 10) { series.append(t: Int64(i) * 15_000, v: Double(i), blockRange: BlockRange.defaultMs) }
        #expect(series.chunks.count == 5)
        #expect(series.chunks.prefix(3).allSatisfy { $0.checkpoints.isEmpty })
        #expect(series.chunks[3].checkpoints.count == 3)
        #expect(series.chunks[4].checkpoints.count == 3)
        // Reads across cold and hot chunks agree with the sample-by-sample iterator.
        let data = SeriesData(labels: Self.labels("m"), chunks: series.chunks[...])
        var times: [Int64] = [], values: [Double] = []
        data.appendSamples(mint: 100_000, maxt: 9_000_000, times: &times, values: &values)
        #expect(times == Array(data.samples(mint: 100_000, maxt: 9_000_000)).map(\.t))
        #expect(values == times.map { Double($0 / 15_000) })
    }

    @Test func retentionDropsOldChunksAndEmptySeries() throws {
        let head = Head.inMemory()
        var app = head.appender()
        var ref: SeriesRef?
        for i in 0..<600 { ref = app.append(ref: ref, labels: Self.labels("old"), t: Int64(i) * 1000, v: 1) }
        _ = app.append(ref: nil, labels: Self.labels("new"), t: 10_000_000, v: 1)
        _ = try app.commit()
        let dropped = head.truncate(before: 1_000_000)
        #expect(dropped.series == 1)
        #expect(head.seriesCount == 1)
        #expect(head.labelValues("__name__", []) == ["new"])
        // An appender holding the dropped ref still lands its sample, in a re-created series.
        var again = head.appender()
        _ = again.append(ref: ref, labels: Self.labels("old"), t: 20_000_000, v: 2)
        #expect(try again.commit().appended == 1)
        #expect(head.select([try LabelMatcher(.equal, "__name__", "old")], mint: 0, maxt: .max).count == 1)
    }
}
