import Testing
@testable import HTTPAPI
import MetricModel
import NIOCore
import TSDB

@Suite struct QueryResultJSONTests {
    /// Go's strconv.FormatFloat(v, 'f', -1, 64), which Prometheus uses for sample values.
    @Test(arguments: [
        (1.0, "1"), (0.1, "0.1"), (-2.5, "-2.5"), (1e21, "1000000000000000000000"), (1.5e-7, "0.00000015"),
        (123456789.125, "123456789.125"), (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
        (0.0, "0"), (1e-5, "0.00001"), (3.14159265358979, "3.14159265358979"), (2e20, "200000000000000000000"),
        (-0.0, "-0"), (-7.0, "-7"), (0.8666666666666667, "0.8666666666666667"), (999_999_999_999_999, "999999999999999"),
    ])
    func formatsValuesAsGoDoes(value: Double, text: String) {
        #expect(QueryResultJSON.formatValue(value) == text)
    }

    @Test(arguments: [(1_700_000_000_000 as Int64, "1700000000"), (1_700_000_000_123, "1700000000.123"), (1_500, "1.5"), (-1_500, "-1.5"), (10, "0.01")])
    func formatsTimestampsAsSeconds(ms: Int64, text: String) {
        #expect(QueryResultJSON.formatTime(ms) == text)
    }

    @Test(arguments: [1_700_000_000_000 as Int64, 1_700_000_000_120, -1_500, 0, 7, Int64.max / 2])
    func writesPointsAsTimeAndValueFormattersDo(ms: Int64) {
        var rng = SystemRandomNumberGenerator()
        let random = (0..<2000).map { _ in Double(bitPattern: rng.next()) } + (0..<2000).map { _ in Double.random(in: -1e6...1e6) }
        for v in [0.0, -0.0, 1, -42, 0.1, -2.5e-7, 1e21, 123456789.125, .nan, .infinity, -.infinity, 0.8666666666666667, 9.99e14, 1e15,
                  1e-5, 5e-324, .greatestFiniteMagnitude, 1e16 + 2, 0.000123456789012345678, -1.7976931348623157e308] + random {
            var w = JSONWriter()
            w.point(ms, v)
            #expect(String(buffer: w.buffer) == "[" + QueryResultJSON.formatTime(ms) + ",\"" + QueryResultJSON.formatValue(v) + "\"]")
        }
    }

    @Test(arguments: [0, 1, 2, 255, 256, 257, 1000])
    func writesPointListsInBatchesAroundValuesOnlyGoFloatWrites(count: Int) {
        let values: [Double] = [0.25, .nan, 1e-7, 3, .infinity, 1e300, 0.1 + 0.2, -0.0]
        let samples = (0..<count).map { Sample(t: Int64($0) * 15_000 + 1, v: values[$0 % values.count] * ($0 % 3 == 0 ? 1 : 1.5)) }
        var w = JSONWriter()
        w.points(samples)
        let expected = samples.map { "[" + QueryResultJSON.formatTime($0.t) + ",\"" + QueryResultJSON.formatValue($0.v) + "\"]" }
        #expect(String(buffer: w.buffer) == expected.joined(separator: ","))
    }

    @Test func escapesLabelsAsJSONStringQuoteDoes() {
        let labels = Labels(["a": "plain", "b": "quote\" back\\ nl\n tab\t bell\u{07}", "c": "ünïcödé"])
        let expected = "{" + labels.pairs.map { JSONString.quote($0.name) + ":" + JSONString.quote($0.value) }.joined(separator: ",") + "}"
        #expect(QueryResultJSON.labels(labels) == expected)
    }

    @Test(arguments: [("job", "job"), ("U__my_2e_label", "my.label"), ("U__a__b", "a_b"), ("U__bad_zz_", "U__bad_zz_")])
    func unescapesUTF8LabelNamesInPaths(raw: String, name: String) {
        #expect(NameEscapingScheme.unescapingValues(raw) == name)
    }

    @Test func parsesFormBodiesWithRepeatedKeys() {
        let pairs = APIParameters.parseForm("match%5B%5D=up&match%5B%5D=a%7Bb%3D%22c%22%7D&query=1+%2B+1")
        #expect(pairs.map(\.0) == ["match[]", "match[]", "query"])
        #expect(pairs[1].1 == "a{b=\"c\"}")
        #expect(pairs[2].1 == "1 + 1")
    }

    @Test(arguments: [("a%20b", "a b"), ("%E2%82%AC", "€"), ("caf%c3%a9", "café"), ("100%", "100%"), ("%zz", "%zz"),
                      ("%ff", "%ff"), ("%", "%"), ("a%2", "a%2"), ("", ""), ("x+y%2Bz", "x y+z")])
    func decodesFormEscapesOrKeepsMalformedTextAsSent(raw: String, decoded: String) {
        #expect(APIParameters.formDecoded(Substring(raw)) == decoded)
    }

    @Test(arguments: [("1700000000", 1_700_000_000_000 as Int64), ("1700000000.5", 1_700_000_000_500), ("2023-11-14T22:13:20Z", 1_700_000_000_000), ("2023-11-14T22:13:20.250Z", 1_700_000_000_250)])
    func parsesAPITimes(text: String, ms: Int64) {
        #expect(APIParameters.parseTime(text) == ms)
    }
}
