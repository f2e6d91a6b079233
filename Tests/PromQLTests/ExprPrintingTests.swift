import Foundation
import MetricModel
import Testing
@testable import PromQL

/// The canonical and pretty forms of queries (`format_query`), checked against what Prometheus
/// prints for the same input, and read back to the same syntax tree.
@Suite struct ExprPrintingTests {
    @Test(arguments: [
        ("sum by(job)(rate(foo{a=\"b\"}[5m] offset 1h @ 100))", "sum by (job) (rate(foo{a=\"b\"}[5m] @ 100.000 offset 1h))"),
        ("foo @ start() offset 5m", "foo @ start() offset 5m"),
        ("a/on(x)group_left(y)b", "a / on (x) group_left (y) b"),
        ("foo[1h:] offset -90m", "foo[1h:] offset -1h30m"),
        ("-x ^ 2", "-x ^ 2"),
        ("topk(5, x) > bool 1.5e3", "topk(5, x) > bool 1500"),
        ("label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\")", "label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\")"),
        ("count_values(\"v\", x)", "count_values(\"v\", x)"),
        ("x[5m:30s] @ end()", "x[5m:30s] @ end()"),
        ("1 + 2 * 3", "1 + 2 * 3"), ("(a + b) * c", "(a + b) * c"),
        ("Inf", "+Inf"), ("NaN", "NaN"), ("-Inf", "-Inf"), ("0x10", "16"),
        ("min_over_time(x[1d1h])", "min_over_time(x[1d1h])"),
        ("a > bool on() group_right b", "a > bool on () group_right () b"),
        ("rate(x[5m] @ 1.5 offset 1m)", "rate(x[5m] @ 1.500 offset 1m)"),
        ("\"str\"", "\"str\""), ("sum(x) by (a)", "sum by (a) (x)"),
        ("a and on(x) b or c unless d", "a and on (x) b or c unless d"),
        ("{__name__=~\"a.*\", b!~\"c\"}", "{__name__=~\"a.*\",b!~\"c\"}"),
        ("{\"my.metric\", a=\"b\"}", "{\"my.metric\",a=\"b\"}"),
        ("sum without(instance)(rate(http_requests_total{job=\"api-server\",code=~\"5..\"}[5m])) / ignoring(code) sum without(instance, code)(rate(http_requests_total{job=\"api-server\"}[5m]))",
         "  sum without (instance) (rate(http_requests_total{code=~\"5..\",job=\"api-server\"}[5m]))\n/ ignoring (code)\n  sum without (instance, code) (rate(http_requests_total{job=\"api-server\"}[5m]))"),
        ("histogram_quantile(0.95, sum by (le, instance) (rate(python_processing_time_seconds_bucket{job=\"model-api\", instance=~\"api-.*\"}[5m])))",
         "histogram_quantile(\n  0.95,\n  sum by (le, instance) (\n    rate(python_processing_time_seconds_bucket{instance=~\"api-.*\",job=\"model-api\"}[5m])\n  )\n)"),
    ])
    func printsAsPrometheusDoes(query: String, formatted: String) throws {
        let e = try Parser.parse(query)
        #expect(e.pretty() == formatted)
        #expect(try Parser.parse(formatted).description == e.description)
    }

    /// Every query of the shared and own test scripts survives printing and parsing again.
    @Test func everyScriptQueryReadsBackUnchanged() throws {
        var paths = ScriptPaths.ownScripts
        if let shared = try? FileManager.default.contentsOfDirectory(atPath: ScriptPaths.sharedDirectory.path) {
            paths += shared.filter { $0.hasSuffix(".test") }.map { ScriptPaths.sharedDirectory.appendingPathComponent($0).path }
        }
        var checked = 0
        for path in paths {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), let script = try? TestScript.parse(text) else { continue }
            for case .eval(let c) in script.commands {
                guard let e = try? Parser.parse(c.query) else { continue }
                // Matchers print sorted by label name, so the text, not the tree, is what must survive.
                let again = try? Parser.parse(e.description)
                #expect(again?.description == e.description, "\(path):\(c.line): \(c.query) printed as \(e.description)")
                #expect((try? Parser.parse(e.pretty()))?.description == e.description, "\(path):\(c.line): \(c.query) pretty-printed as \(e.pretty())")
                checked += 1
            }
        }
        // Prometheus' own scripts (when ../shared is beside the checkout) hold well over 500 queries.
        let sharedPresent = FileManager.default.fileExists(atPath: ScriptPaths.sharedDirectory.path)
        #expect(checked > (sharedPresent ? 500 : 20))
    }
}

/// Go's `FormatFloat(v, 'e', -1, 64)`, which Prometheus uses for alert values.
@Suite struct GoFloatExponentTests {
    @Test(arguments: [
        (1.0, "1e+00"), (0.0, "0e+00"), (-2.5, "-2.5e+00"), (123.456, "1.23456e+02"), (0.00015, "1.5e-04"),
        (1e21, "1e+21"), (1.5e-7, "1.5e-07"), (Double.nan, "NaN"), (Double.infinity, "+Inf"), (12345678901234567890.0, "1.2345678901234567e+19"),
    ])
    func formatsAsGoDoes(value: Double, text: String) {
        #expect(GoFloat.exponent(value) == text)
    }
}
