import Config
import Testing
@testable import RemoteWrite

@Suite struct OTLPNameTranslatorTests {
    let names = OTLPNameTranslator(strategy: .underscoreEscapingWithSuffixes)

    @Test(arguments: [
        ("http.server.request.duration", "s", OTLPNameTranslator.Kind.histogram, "http_server_request_duration_seconds"),
        ("http.server.requests", "{request}", .counter, "http_server_requests_total"),
        ("process.memory.usage", "By", .gauge, "process_memory_usage_bytes"),
        ("model.confidence", "1", .gauge, "model_confidence_ratio"),
        ("model.predictions", "1", .counter, "model_predictions_total"),
        ("network.io", "By/s", .gauge, "network_io_bytes_per_second"),
        ("queue.throughput", "{packets}/s", .gauge, "queue_throughput_per_second"),
        ("disk.usage", "GiBy", .gauge, "disk_usage_gibibytes"),
        ("temperature", "Cel", .gauge, "temperature_celsius"),
        ("jobs", "widgets", .gauge, "jobs_widgets"),
    ])
    func addsTheUnitAndTypeSuffixes(name: String, unit: String, kind: OTLPNameTranslator.Kind, expected: String) {
        #expect(names.metricName(name, unit: unit, kind: kind) == expected)
    }

    @Test func doesNotRepeatAUnitOrTotalTheNameAlreadyHas() {
        #expect(names.metricName("request_duration_seconds", unit: "s", kind: .histogram) == "request_duration_seconds")
        #expect(names.metricName("requests_total", unit: "", kind: .counter) == "requests_total")
        #expect(names.metricName("total_requests", unit: "", kind: .counter) == "requests_total")
        #expect(names.metricName("cpu.ratio.used", unit: "1", kind: .gauge) == "cpu_used_ratio")
    }

    @Test func collapsesSeparatorsAndGuardsALeadingDigit() {
        #expect(names.metricName("my..weird__name-x", unit: "", kind: .gauge) == "my_weird_name_x")
        #expect(names.metricName("2xx.responses", unit: "", kind: .counter) == "_2xx_responses_total")
        #expect(names.metricName("ns:rule.metric", unit: "", kind: .gauge) == "ns:rule_metric")
        #expect(names.metricName("...", unit: "", kind: .gauge) == "")
    }

    @Test func withoutSuffixesOnlyReplacesCharacters() {
        let plain = OTLPNameTranslator(strategy: .underscoreEscapingWithoutSuffixes)
        #expect(plain.metricName("http.server.requests", unit: "{request}", kind: .counter) == "http_server_requests")
        #expect(plain.metricName("model.confidence", unit: "1", kind: .gauge) == "model_confidence")
        #expect(plain.metricName("a__b.ü", unit: "s", kind: .gauge) == "a__b__")
        #expect(plain.metricName("9lives", unit: "", kind: .gauge) == "_9lives")
    }

    @Test func theUTF8StrategiesKeepNamesAndTheFirstAddsSuffixesOnce() {
        let suffixed = OTLPNameTranslator(strategy: .noUTF8EscapingWithSuffixes)
        #expect(suffixed.metricName("http.server.request.duration", unit: "s", kind: .histogram) == "http.server.request.duration_seconds")
        #expect(suffixed.metricName("model.predictions", unit: "{prediction}", kind: .counter) == "model.predictions_total")
        #expect(suffixed.metricName("requests_total", unit: "", kind: .counter) == "requests_total")
        #expect(suffixed.metricName("model.confidence", unit: "1", kind: .gauge) == "model.confidence_ratio")
        #expect(suffixed.metricName("net.io", unit: "By/s", kind: .gauge) == "net.io_bytes_per_second")
        #expect(suffixed.attributeLabelName("http.route") == "http.route")
        let untouched = OTLPNameTranslator(strategy: .noTranslation)
        #expect(untouched.metricName("model.predictions", unit: "{prediction}", kind: .counter) == "model.predictions")
        #expect(untouched.attributeLabelName("2xx.count") == "2xx.count")
        #expect(names.attributeLabelName("http.route") == "http_route")
    }

    @Test func labelNamesReplaceOtherCharactersAndPrefixDigitsAndLoneUnderscores() {
        #expect(OTLPNameTranslator.labelName("http.response.status_code") == "http_response_status_code")
        #expect(OTLPNameTranslator.labelName("k8s.pod.name") == "k8s_pod_name")
        #expect(OTLPNameTranslator.labelName("2xx") == "key_2xx")
        #expect(OTLPNameTranslator.labelName("_private") == "key_private")
        #expect(OTLPNameTranslator.labelName("__reserved") == "__reserved")
        #expect(OTLPNameTranslator.labelName("a:b") == "a_b")
        #expect(OTLPNameTranslator.labelName("région") == "r_gion")
        #expect(OTLPNameTranslator.labelName("") == "")
    }
}
