import Exposition
import Foundation
import MetricModel
import Testing
@testable import Push

/// A body in the text format, read as a push reads it.
func families(_ text: String) throws -> [ExpositionFamily] {
    try ExpositionFamily.decode(body: Array(text.utf8), contentType: "text/plain; version=0.0.4")
}

func key(_ path: String) throws -> GroupingKey { try GroupingKey(path: Substring(path)) }

extension PushRegistry {
    /// Every stored series of every group and its value.
    var stored: [Labels: Double] {
        var out: [Labels: Double] = [:]
        for group in groups.values { for s in group.series { out[s.labels] = s.value } }
        return out
    }
}

@Suite struct PushRegistryTests {
    @Test func putReplacesTheWholeGroupAndPostOnlyTheFamiliesItNames() throws {
        var registry = PushRegistry()
        let k = try key("job/batch")
        try registry.push(families("a 1\nb 2\n"), to: k, method: .replaceGroup, nowMs: 1000)
        try registry.push(families("b 3\nc 4\n"), to: k, method: .replaceFamilies, nowMs: 2000)
        #expect(registry.stored == [Labels(["__name__": "a", "job": "batch"]): 1, Labels(["__name__": "b", "job": "batch"]): 3,
                                    Labels(["__name__": "c", "job": "batch"]): 4])
        try registry.push(families("c 5\n"), to: k, method: .replaceGroup, nowMs: 3000)
        #expect(registry.stored == [Labels(["__name__": "c", "job": "batch"]): 5])
        #expect(registry.groups[k]?.lastPushMs == 3000)
    }

    @Test func anEmptyPutKeepsTheGroupWithItsPushTime() throws {
        var registry = PushRegistry()
        let k = try key("job/batch")
        try registry.push(families("a 1\n"), to: k, method: .replaceGroup, nowMs: 1000)
        try registry.push([], to: k, method: .replaceGroup, nowMs: 5000)
        #expect(registry.stored.isEmpty)
        #expect(registry.groups[k]?.timeSeries.map(\.value) == [5, 0])
    }

    @Test func theGroupingKeyWinsOverPushedLabelsAndAPushedInstanceStays() throws {
        var registry = PushRegistry()
        try registry.push(families("m{job=\"other\",stage=\"x\",instance=\"host\"} 1\n"), to: key("job/train/stage/eval"), method: .replaceGroup, nowMs: 1)
        #expect(registry.stored.keys.first == Labels(["__name__": "m", "job": "train", "stage": "eval", "instance": "host"]))
    }

    @Test func timestampsAreRefusedAndTheFailureIsRecordedOnANewGroup() throws {
        var registry = PushRegistry()
        let k = try key("job/stamped")
        #expect(throws: PushError.self) { try registry.push(families("m 1 1700000000000\n"), to: k, method: .replaceGroup, nowMs: 7000) }
        #expect(registry.groups[k]?.lastPushMs == nil)
        #expect(registry.groups[k]?.lastFailureMs == 7000)
        #expect(registry.groups[k]?.timeSeries.map(\.value) == [0, 7])
    }

    @Test func aFamilyKeepsOneTypeAcrossGroupsButAGroupMayChangeItsOwn() throws {
        var registry = PushRegistry()
        try registry.push(families("# TYPE jobs_total counter\njobs_total 1\n"), to: key("job/a"), method: .replaceGroup, nowMs: 1)
        try registry.push(families("# TYPE jobs_total counter\njobs_total 2\n"), to: key("job/b"), method: .replaceGroup, nowMs: 1)
        let error = #expect(throws: PushError.self) {
            try registry.push(families("# TYPE jobs_total gauge\njobs_total 3\n"), to: key("job/c"), method: .replaceGroup, nowMs: 2)
        }
        #expect(error?.kind == .rejected)
        #expect(registry.groups[try key("job/c")]?.lastFailureMs == 2)
        registry.delete(try key("job/b"))
        // Only job/a holds it now: job/a itself may push it as another type.
        try registry.push(families("# TYPE jobs_total gauge\njobs_total 4\n"), to: key("job/a"), method: .replaceGroup, nowMs: 3)
        try registry.push(families("# TYPE jobs_total gauge\njobs_total 5\n"), to: key("job/c"), method: .replaceGroup, nowMs: 4)
    }

    @Test func aSeriesAnotherGroupHoldsIsRefused() throws {
        var registry = PushRegistry()
        try registry.push(families("m 1\n"), to: key("job/etl/instance/a"), method: .replaceGroup, nowMs: 1)
        #expect(throws: PushError.self) {
            try registry.push(families("m{instance=\"a\"} 2\n"), to: key("job/etl"), method: .replaceGroup, nowMs: 2)
        }
        #expect(throws: PushError.self) { try registry.push(families("m{x=\"1\"} 1\nm{x=\"1\"} 2\n"), to: key("job/twice"), method: .replaceGroup, nowMs: 2) }
        #expect(registry.stored == [Labels(["__name__": "m", "job": "etl", "instance": "a"]): 1])
    }

    @Test func pushedTimeSeriesAreDropped() throws {
        var registry = PushRegistry()
        try registry.push(families("push_time_seconds 1\npush_failure_time_seconds 2\nm 3\n"), to: key("job/j"), method: .replaceGroup, nowMs: 9000)
        #expect(registry.stored == [Labels(["__name__": "m", "job": "j"]): 3])
        #expect(registry.groups[try key("job/j")]?.timeSeries.map(\.value) == [9, 0])
    }

    @Test func bucketBoundsAreRewrittenAndMissingSeriesAdded() throws {
        var registry = PushRegistry()
        try registry.push(families("""
        # TYPE h histogram
        h_bucket{le="1.0"} 2
        h_bucket{le="1e+06"} 3
        h_count 4
        # TYPE s summary
        s{quantile="0.50"} 7
        """), to: key("job/j"), method: .replaceGroup, nowMs: 1)
        #expect(registry.stored == [
            Labels(["__name__": "h_bucket", "le": "1", "job": "j"]): 2, Labels(["__name__": "h_bucket", "le": "1e+06", "job": "j"]): 3,
            Labels(["__name__": "h_bucket", "le": "+Inf", "job": "j"]): 4, Labels(["__name__": "h_sum", "job": "j"]): 0,
            Labels(["__name__": "h_count", "job": "j"]): 4, Labels(["__name__": "s", "quantile": "0.5", "job": "j"]): 7,
            Labels(["__name__": "s_sum", "job": "j"]): 0, Labels(["__name__": "s_count", "job": "j"]): 0,
        ])
        #expect(throws: PushError.self) { try registry.push(families("# TYPE h histogram\nh_bucket{le=\"high\"} 1\n"), to: key("job/k"), method: .replaceGroup, nowMs: 1) }
    }

    @Test func pushesBeyondTheSeriesLimitAreRefusedButReplacingCountsOnlyTheDifference() throws {
        var registry = PushRegistry()
        registry.seriesLimit = 3
        try registry.push(families("a 1\nb 1\n"), to: key("job/x"), method: .replaceGroup, nowMs: 1)
        let error = #expect(throws: PushError.self) { try registry.push(families("c 1\nd 1\n"), to: key("job/y"), method: .replaceGroup, nowMs: 2) }
        #expect(error?.message.contains("limit of 3") == true)
        // Replacing job/x's two series with three stays within the limit.
        try registry.push(families("a 2\nb 2\nc 2\n"), to: key("job/x"), method: .replaceGroup, nowMs: 3)
        #expect(registry.seriesCount == 3)
    }

    @Test func groupsUnchangedSinceTheCutoffExpire() throws {
        var registry = PushRegistry()
        try registry.push(families("m 1\n"), to: key("job/old"), method: .replaceGroup, nowMs: 1000)
        try registry.push(families("n 1\n"), to: key("job/new"), method: .replaceGroup, nowMs: 5000)
        #expect(registry.expire(unchangedSince: 3000) == [try key("job/old")])
        #expect(registry.groups.keys.map(\.labels) == [Labels(["job": "new"])])
        // The expired group's series are free for another group again.
        try registry.push(families("m 2\n"), to: key("job/old"), method: .replaceGroup, nowMs: 6000)
    }

    @Test func theFileGivesBackEveryGroupWithSpecialValuesAndEmptyKeyValues() throws {
        var registry = PushRegistry()
        try registry.push(families("# HELP m Help.\n# TYPE m gauge\nm{a=\"x\"} NaN\nm{a=\"y\"} +Inf\nm{a=\"z\"} -0.1\n"),
                          to: key("job/spark/run@base64/="), method: .replaceGroup, nowMs: 1000)
        #expect(throws: PushError.self) { try registry.push(families("m 1 5\n"), to: key("job/failed"), method: .replaceGroup, nowMs: 2000) }
        let path = NSTemporaryDirectory() + "push-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try registry.write(to: path)
        let back = try PushRegistry.read(from: path)
        #expect(back.groups.count == 2)
        #expect(back.groups[try key("job/spark/run@base64/=")]?.families.first?.help == "Help.")
        #expect(back.groups[try key("job/failed")]?.lastFailureMs == 2000)
        let values = back.stored
        #expect(values[Labels(["__name__": "m", "a": "x", "job": "spark"])]?.isNaN == true)
        #expect(values[Labels(["__name__": "m", "a": "y", "job": "spark"])] == .infinity)
        #expect(values[Labels(["__name__": "m", "a": "z", "job": "spark"])] == -0.1)
        // Indexes are rebuilt: the restored series still belong to their group.
        var again = back
        #expect(throws: PushError.self) { try again.push(families("m{a=\"x\"} 1\n"), to: key("job/spark"), method: .replaceGroup, nowMs: 3000) }
        #expect(throws: PushError.self) { try again.push(families("# TYPE m counter\nm 1\n"), to: key("job/x"), method: .replaceGroup, nowMs: 3000) }
    }
}
