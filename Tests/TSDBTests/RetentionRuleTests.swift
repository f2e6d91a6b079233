import MetricModel
import Testing
@testable import TSDB

/// `--storage.tsdb.retention.rules`: the series a selector picks keep less history than the rest.
@Suite struct RetentionRuleTests {
    static let hour = BlockTests.hour

    @Test func matchingSeriesLoseTheirOldSamplesAndTheOthersKeepThem() throws {
        let dir = TempDirectory()
        var options = DatabaseOptions()
        options.tooFarInFutureMs = nil
        let rule = RetentionRule(matchers: [try LabelMatcher(.regexMatch, "__name__", "python_gc_.*")],
                                 retention: PromDuration(milliseconds: 5 * Self.hour), selector: "{__name__=~\"python_gc_.*\"}")
        options.retentionRules = [rule]
        let db = try Database(directory: dir.path, options: options)
        var expected = try BlockTests.fill(db, series: 2, hours: 12, name: "python_gc_objects_collected_total")
        expected.merge(try BlockTests.fill(db, series: 2, hours: 12, name: "model_predictions_total")) { a, _ in a }
        while try db.compactHead() > 0 {}
        #expect(db.blocks.count >= 4)

        try db.applyRetentionRules()
        // The newest sample is at 12 h − 15 s: the cut-off (6 h 59 m 45 s) rounds down to the
        // 2 h block boundary, 6 h, so samples up to 6 h − 1 ms go.
        for (labels, samples) in expected where labels["__name__"] == "python_gc_objects_collected_total" {
            expected[labels] = samples.filter { $0.t >= 6 * Self.hour }
        }
        #expect(BlockTests.everything(db) == expected)
        // Half the series of each old block had tombstones: those blocks were rewritten without them.
        #expect(db.blocks.allSatisfy { $0.tombstones.isEmpty })
        let gc = try LabelMatcher(.equal, "__name__", "python_gc_objects_collected_total")
        let gcInOldBlocks = db.blocks.filter { $0.maxTime <= 6 * Self.hour }.flatMap { $0.select([gc], mint: .min, maxt: .max) }
        #expect(gcInOldBlocks.isEmpty)

        // Applying again changes nothing: no tombstones, no rewrite.
        let before = db.blocks.map(\.ulid)
        try db.applyRetentionRules()
        #expect(db.blocks.map(\.ulid) == before)
        #expect(BlockTests.everything(db) == expected)
    }

    @Test func theCutOffRoundsDownToTheBlockRange() {
        let rule = RetentionRule(matchers: [], retention: PromDuration(milliseconds: 5 * Self.hour), selector: "{}")
        #expect(rule.deleteThrough(newest: 12 * Self.hour, granularity: 2 * Self.hour) == 6 * Self.hour - 1)
        #expect(rule.deleteThrough(newest: 13 * Self.hour - 1, granularity: 2 * Self.hour) == 6 * Self.hour - 1)
        #expect(rule.deleteThrough(newest: Int64.min + 1, granularity: 2 * Self.hour) == nil)
        #expect(rule.deleteThrough(newest: 3 * Self.hour, granularity: 2 * Self.hour) == -2 * Self.hour - 1)
    }
}
