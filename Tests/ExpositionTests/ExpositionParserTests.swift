import MetricModel
import Testing
@testable import Exposition

/// Parses a body completely, returning samples with labels and metadata entries.
func parseAll(_ text: String, _ format: ExpositionFormat = .text) throws -> (samples: [(Labels, Double, Int64?)], meta: [ExpositionEntry]) {
    var p = ExpositionParser(bytes: Array(text.utf8), format: format)
    var samples: [(Labels, Double, Int64?)] = []
    var meta: [ExpositionEntry] = []
    while let e = try p.next() {
        if case .sample(let s) = e { samples.append((try p.labels(), s.value, s.timestamp)) } else { meta.append(e) }
    }
    return (samples, meta)
}

@Suite struct TextFormatTests {
    @Test func parsesPrometheusClientOutput() throws {
        let body = """
        # HELP python_request_operations_total The total number of processed requests
        # TYPE python_request_operations_total counter
        python_request_operations_total 42.0
        python_request_operations_created 1.7e9
        # HELP python_processing_time_seconds Time spent processing request
        # TYPE python_processing_time_seconds histogram
        python_processing_time_seconds_bucket{le="0.005"} 1.0
        python_processing_time_seconds_bucket{le="+Inf"} 3.0
        python_processing_time_seconds_sum 0.25
        python_iris_predictions_total{species="setosa"} 7
        """
        let r = try parseAll(body)
        #expect(r.samples.count == 6)
        #expect(r.samples[0].0 == Labels(["__name__": "python_request_operations_total"]))
        #expect(r.samples[0].1 == 42)
        #expect(r.samples[2].0["le"] == "0.005")
        #expect(r.samples[5].0["species"] == "setosa")
        #expect(r.meta.contains(.type(metric: "python_processing_time_seconds", .histogram)))
        #expect(r.meta.contains(.help(metric: "python_request_operations_total", text: "The total number of processed requests")))
    }

    @Test func handlesEscapesInLabelValuesAndHelp() throws {
        let body = #"""
        # HELP m a\\b\nc \x
        m{path="C:\\dir",q="say \"hi\"",nl="a\nb"} 1
        """#
        let r = try parseAll(body)
        #expect(r.samples[0].0["path"] == "C:\\dir")
        #expect(r.samples[0].0["q"] == "say \"hi\"")
        #expect(r.samples[0].0["nl"] == "a\nb")
        #expect(r.meta[0] == .help(metric: "m", text: "a\\b\nc \\x"))
    }

    @Test(arguments: [("NaN", Double.nan), ("+Inf", .infinity), ("-Inf", -.infinity), ("1e3", 1000), ("-0.5", -0.5),
                      ("0.1", 0.1), ("123456789012345678901", 123456789012345678901.0), ("3.14159265358979", 3.14159265358979),
                      (".5", 0.5), ("5.", 5), ("1.2345e+13", 1.2345e13), ("7E-3", 0.007), ("nan", Double.nan), ("inf", .infinity),
                      ("1e22", 1e22), ("1e23", 1e23), ("4.9e-324", 4.9e-324), ("123456789012345.678", 123456789012345.678),
                      ("0.1000000000000000055511151231257827", 0.1), ("-0", -0.0), ("0x1p3", 8)])
    func parsesSpecialAndOrdinaryValues(text: String, expected: Double) throws {
        let v = try parseAll("m \(text)\n").samples[0].1
        #expect(v.isNaN ? expected.isNaN : v == expected)
    }

    @Test func parsesTimestampsInMilliseconds() throws {
        let r = try parseAll("m 1 1700000000123\nn{a=\"b\"} 2 -5\n")
        #expect(r.samples[0].2 == 1_700_000_000_123)
        #expect(r.samples[1].2 == -5)
    }

    @Test func toleratesBlankLinesCommentsCRLFAndDuplicateHelp() throws {
        let r = try parseAll("# just a comment\r\n\r\n# HELP m one\n# HELP m two\nm 1\r\nm2{a=\"x\",} 2\n")
        #expect(r.samples.count == 2)
        #expect(r.samples[1].0["a"] == "x")
    }

    @Test func acceptsVeryLongLines() throws {
        let value = String(repeating: "v", count: 200_000)
        let r = try parseAll("m{big=\"\(value)\"} 1\n")
        #expect(r.samples[0].0["big"].count == 200_000)
    }

    @Test func acceptsQuotedUTF8MetricNames() throws {
        let r = try parseAll("{\"my.metric\", \"label.x\"=\"1\"} 3\n")
        #expect(r.samples[0].0.metricName == "my.metric")
        #expect(r.samples[0].0["label.x"] == "1")
    }

    @Test(arguments: [
        ("m{a=\"b\" 1\n", 1), ("m{a=b} 1\n", 1), ("m 1 2 3\n", 1), ("ok 1\nm abc\n", 2), ("m{a=\"1\",a=\"2\"} 1\n", 1),
        ("{a=\"b\"} 1\n", 1), ("m\n", 1), ("# TYPE m nonsense\n", 1), ("m 1 1.5\n", 1), ("9m 1\n", 1),
        ("m 1e\n", 1), ("m .\n", 1), ("m +\n", 1), ("m 1.2.3\n", 1),
    ])
    func reportsTheLineOfMalformedInput(body: String, line: Int) {
        #expect(throws: ExpositionError.self) { _ = try parseAll(body) }
        do { _ = try parseAll(body) } catch let e as ExpositionError { #expect(e.line == line) } catch { Issue.record(error) }
    }

    @Test func seriesKeyIsTheRawSeriesText() throws {
        var p = ExpositionParser(bytes: Array("up{job=\"x\"} 1 123\n".utf8), format: .text)
        guard case .sample(let s) = try p.next() else { Issue.record("no sample"); return }
        #expect(String(decoding: p.seriesKeyBytes(s), as: UTF8.self) == "up{job=\"x\"}")
    }
}

@Suite struct OpenMetricsTests {
    @Test func parsesOpenMetricsWithExemplarsUnitsAndEOF() throws {
        let body = """
        # TYPE requests counter
        # UNIT requests seconds
        # HELP requests Requests.
        requests_total{path="/"} 3 1700000000.5 # {trace_id="abc"} 1.0 1700000000.1
        requests_created{path="/"} 1700000000
        # EOF

        """
        let r = try parseAll(body, .openMetrics)
        #expect(r.samples.count == 1)
        #expect(r.samples[0].2 == 1_700_000_000_500)
        #expect(r.meta.contains(.unit(metric: "requests", unit: "seconds")))
    }

    @Test func requiresEOF() {
        #expect(throws: ExpositionError.self) { _ = try parseAll("m 1\n", .openMetrics) }
    }

    @Test func refusesDataAfterEOF() {
        #expect(throws: ExpositionError.self) { _ = try parseAll("m 1\n# EOF\nm 2\n", .openMetrics) }
    }

    @Test func picksFormatFromContentType() {
        #expect(ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat(contentType: "text/plain; version=0.0.4") == .text)
        #expect(ExpositionFormat(contentType: nil) == .text)
    }
}

@Suite struct FloatParsingTests {
    @Test(arguments: [1 as UInt64, 2, 3])
    func fastPathAgreesWithTheStandardLibraryBitForBit(seed: UInt64) {
        var x = seed
        func next(_ n: UInt64) -> UInt64 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (x >> 33) % n
        }
        for _ in 0..<50_000 {
            var s = next(3) == 0 ? "-" : ""
            s += String((0..<(1 + next(17))).map { _ in Character(String(next(10))) })
            if next(2) == 0 { s += "." + String((0..<next(12)).map { _ in Character(String(next(10))) }) }
            if next(3) == 0 { s += "e" + (next(2) == 0 ? "-" : "") + String(next(40)) }
            let parser = ExpositionParser(bytes: Array(s.utf8), format: .text)
            let ours = parser.parseFloat(0, s.utf8.count)
            let reference = Double(s)
            #expect(ours?.bitPattern == reference?.bitPattern, "\(s)")
        }
    }
}
