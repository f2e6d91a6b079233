import Testing
@testable import HTTPAPI
import MetricModel
import NIOCore

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
        for v in [0.0, -0.0, 1, -42, 0.1, -2.5e-7, 1e21, 123456789.125, .nan, .infinity, -.infinity, 0.8666666666666667, 9.99e14, 1e15] {
            var w = JSONWriter()
            w.point(ms, v)
            #expect(String(buffer: w.buffer) == "[" + QueryResultJSON.formatTime(ms) + ",\"" + QueryResultJSON.formatValue(v) + "\"]")
        }
    }

    @Test func escapesLabelsAsJSONStringQuoteDoes() {
        let labels = Labels(["a": "plain", "b": "quote\" back\\ nl\n tab\t bell\u{07}", "c": "ünïcödé"])
        let expected = "{" + labels.pairs.map { JSONString.quote($0.name) + ":" + JSONString.quote($0.value) }.joined(separator: ",") + "}"
        #expect(QueryResultJSON.labels(labels) == expected)
    }

    @Test(arguments: [("job", "job"), ("U__my_2e_label", "my.label"), ("U__a__b", "a_b"), ("U__bad_zz_", "U__bad_zz_")])
    func unescapesUTF8LabelNamesInPaths(raw: String, name: String) {
        #expect(APIRoutes.unescapeLabelName(raw) == name)
    }

    @Test func parsesFormBodiesWithRepeatedKeys() {
        let pairs = APIParameters.parseForm("match%5B%5D=up&match%5B%5D=a%7Bb%3D%22c%22%7D&query=1+%2B+1")
        #expect(pairs.map(\.0) == ["match[]", "match[]", "query"])
        #expect(pairs[1].1 == "a{b=\"c\"}")
        #expect(pairs[2].1 == "1 + 1")
    }

    @Test(arguments: [("1700000000", 1_700_000_000_000 as Int64), ("1700000000.5", 1_700_000_000_500), ("2023-11-14T22:13:20Z", 1_700_000_000_000), ("2023-11-14T22:13:20.250Z", 1_700_000_000_250)])
    func parsesAPITimes(text: String, ms: Int64) {
        #expect(APIParameters.parseTime(text) == ms)
    }
}
