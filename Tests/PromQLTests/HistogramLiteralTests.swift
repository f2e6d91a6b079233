import Foundation
import MetricModel
import Testing
@testable import PromQL

@Suite struct HistogramLiteralTests {
    @Test func bucketsStartAtTheirOffsetWithAbsoluteCounts() throws {
        let h = try HistogramLiteral.parse("{{schema:0 sum:5 count:4 buckets:[1 2 1]}}")
        #expect(h.schema == 0 && h.sum == 5 && h.count == 4)
        #expect(h.positiveSpans == [HistogramSpan(offset: 0, length: 3)])
        // Bucket 0 of schema 0 is (0.5, 1]: "half of the values in 1 < x <= 2".
        #expect(h.populatedBuckets.map(\.upper) == [1, 2, 4])
        #expect(h.populatedBuckets.map(\.count) == [1, 2, 1])

        let full = try HistogramLiteral.parse(
            "{{schema:1 sum:-0.3 count:3.1 z_bucket:7.1 z_bucket_w:0.05 buckets:[5.1 10 7] offset:-3 n_buckets:[4.1 5] n_offset:-5 counter_reset_hint:gauge}}")
        #expect(full.zeroCount == 7.1 && full.zeroThreshold == 0.05 && full.counterResetHint == .gauge)
        #expect(full.positiveSpans == [HistogramSpan(offset: -3, length: 3)] && full.positiveBuckets == [5.1, 10, 7])
        #expect(full.negativeSpans == [HistogramSpan(offset: -5, length: 2)] && full.negativeBuckets == [4.1, 5])
        let custom = try HistogramLiteral.parse("{{schema:-53 count:3 custom_values:[0.5 1] buckets:[1 1 1] counter_reset_hint:not_reset}}")
        #expect(custom.customValues == [0.5, 1] && custom.counterResetHint == .notCounterReset)
        #expect(custom.populatedBuckets.map(\.upper) == [0.5, 1, .infinity])
        #expect(try HistogramLiteral.parse("{{}}") == FloatHistogram(schema: 0, count: 0, sum: 0))
    }

    @Test func expansionsRepeatOrAddAHistogramStepByStep() throws {
        #expect(try HistogramLiteral.expand("{{schema:0 sum:1 count:1}}x3").count == 4)
        let grown = try HistogramLiteral.expand("{{schema:0 sum:1 count:1 buckets:[1]}}+{{schema:0 sum:2 count:2 buckets:[0 2]}}x2")
        #expect(grown.map(\.count) == [1, 3, 5])
        #expect(grown.map(\.sum) == [1, 3, 5])
        #expect(grown.map(\.positiveBuckets) == [[1], [1, 2], [1, 4]])
        let shrunk = try HistogramLiteral.expand("{{schema:0 sum:10 count:10 buckets:[10]}}-{{schema:0 sum:1 count:1 buckets:[1]}}x2")
        #expect(shrunk.map(\.count) == [10, 9, 8])
        // Through the values notation, beside floats and gaps.
        let points = try SeriesValues.parse("1 _ {{schema:0 sum:2 count:2}}x1 stale")
        #expect(points.count == 5 && points[2].isHistogram && points[3].isHistogram && !points[4].isHistogram)
    }

    @Test(arguments: ["{{schema:x}}", "{{bogus:1}}", "{{counter_reset_hint:maybe}}", "{{buckets:1 2}}", "{{sum:1}}+{{sum:2}}",
                      "{{schema:0 count:1}}+{{schema:-53 custom_values:[1] count:1}}x1", "{{sum:1}}x", "{{sum:1"])
    func malformedHistogramsAreScriptErrors(text: String) {
        #expect(throws: ScriptError.self) { try HistogramLiteral.expand(text) }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: ScriptPaths.sharedDirectory.path)))
    func everyHistogramInPrometheusTestScriptsParses() throws {
        let dir = ScriptPaths.sharedDirectory.path
        var parsed = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name.hasSuffix(".test") {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                for token in SeriesValues.tokens(String(line)) where token.hasPrefix("{{") {
                    #expect(throws: Never.self, "\(name): \(token)") { parsed += try HistogramLiteral.expand(token).count }
                }
            }
        }
        #expect(parsed > 100)
    }
}

@Suite struct FloatHistogramArithmeticTests {
    @Test func addingBringsBothToTheCoarserSchemaAndTheWiderZeroBucket() throws {
        let fine = FloatHistogram(schema: 1, zeroThreshold: 0.001, zeroCount: 1, count: 4, sum: 3,
                                  positiveSpans: [HistogramSpan(offset: 1, length: 2)], positiveBuckets: [1, 2])
        let coarse = FloatHistogram(schema: 0, zeroThreshold: 0.001, count: 2, sum: 2,
                                    positiveSpans: [HistogramSpan(offset: 1, length: 1)], positiveBuckets: [2])
        let sum = try #require(fine.adding(coarse))
        #expect(sum.schema == 0 && sum.count == 6 && sum.sum == 5 && sum.zeroCount == 1)
        // Schema 1 buckets 1 and 2 are (1, 1.41] and (1.41, 2]: both inside schema 0 bucket 1, (1, 2].
        #expect(sum.positiveSpans == [HistogramSpan(offset: 1, length: 1)] && sum.positiveBuckets == [5])
        #expect(try #require(sum.subtracting(coarse)).positiveBuckets == [3])

        // A wider zero bucket swallows the buckets below its edge; an edge inside a bucket moves to its end.
        let low = FloatHistogram(schema: 0, zeroThreshold: 0.01, zeroCount: 1, count: 5, sum: 1,
                                 positiveSpans: [HistogramSpan(offset: -3, length: 2), HistogramSpan(offset: 2, length: 1)], positiveBuckets: [2, 1, 1])
        let wide = low.withZeroThreshold(atLeast: 0.2)
        // Bucket -3, (0.0625, 0.125], is swallowed; the edge 0.2 lies in bucket -2, (0.125, 0.25]: it moves to 0.25.
        #expect(wide.zeroThreshold == 0.25 && wide.zeroCount == 4)
        #expect(wide.positiveBuckets == [1] && wide.positiveSpans.bucketIndices == [1])
        #expect(low.withZeroThreshold(atLeast: 0.1).zeroThreshold == 0.125, "the edge moves to the end of the bucket it cuts")
        #expect(wide.count == low.count)

        let custom = FloatHistogram(schema: -53, count: 1, sum: 1, positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [1], customValues: [1])
        #expect(custom.adding(fine) == nil)
        var rebounded = custom
        rebounded.customValues = [2]
        // Other custom bounds: both go onto the bounds they share (none here: one +Inf bucket).
        let reconciled = custom.adding(rebounded)
        #expect(reconciled?.customValues == [] && reconciled?.positiveBuckets == [2] && reconciled?.count == 2)
        #expect(custom.adding(custom)?.positiveBuckets == [2])
        #expect(fine.scaled(by: 0.5).positiveBuckets == [0.5, 1])
    }
}
