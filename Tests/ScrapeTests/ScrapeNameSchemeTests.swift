import Config
import MetricModel
import Testing
@testable import Scrape

@Suite struct ScrapeNameSchemeTests {
    @Test func utf8NamesAreStoredAsExposedByDefault() throws {
        var h = Harness()
        try h.scrape("{\"my.requests_total\",\"http.status\"=\"200\"} 3\n", at: 1000, format: .text)
        let stored = try h.samples("my.requests_total")
        #expect(stored.keys.first?["http.status"] == "200")
    }

    @Test func legacyValidationFailsAScrapeWithAUTF8NameAndStoresNothingOfIt() throws {
        var h = Harness { $0.nameSchemes = MetricNameSchemes(validation: .legacy, escaping: .underscores) }
        #expect(throws: ScrapeError.self) {
            try h.scrape("ok_total 1\n{\"my.requests_total\"} 3\n", at: 1000)
        }
        #expect(try h.samples("ok_total").isEmpty)
        #expect(throws: ScrapeError.self) { try h.scrape("ok_total{\"http.status\"=\"200\"} 1\n", at: 2000) }
        try h.scrape("ok_total{http_status=\"200\"} 1\n", at: 3000)
        #expect(try h.samples("ok_total").count == 1)
    }

    @Test func theAcceptHeaderAsksForTheJobsEscapingInTheFormatsThatCarryUTF8Names() {
        let header = ScrapeClient.acceptHeader(GlobalConfig.defaultScrapeProtocols, escaping: .allowUTF8)
        #expect(header == "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,"
            + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1")
        #expect(ScrapeClient.acceptHeader(["PrometheusText1.0.0"], escaping: .dots) == "text/plain;version=1.0.0;escaping=dots;q=0.5,*/*;q=0.1")
    }
}
