import MetricModel
import Testing

@Suite struct MetricNameSchemeTests {
    @Test func validationSchemesDecideWhichNamesPass() {
        #expect(NameValidationScheme.utf8.isValid(metricName: "my.metric"))
        #expect(!NameValidationScheme.utf8.isValid(metricName: ""))
        #expect(!NameValidationScheme.legacy.isValid(metricName: "my.metric"))
        #expect(NameValidationScheme.legacy.isValid(metricName: "ns:my_metric"))
        #expect(!NameValidationScheme.legacy.isValid(labelName: "a:b"))
    }

    @Test func theEscapingParameterIsReadFromAnAcceptHeader() {
        #expect(NameEscapingScheme.requested(byAccept: "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,*/*") == .allowUTF8)
        #expect(NameEscapingScheme.requested(byAccept: "application/openmetrics-text;version=1.0.0, text/plain; version=1.0.0; escaping=dots") == .dots)
        #expect(NameEscapingScheme.requested(byAccept: "text/plain;version=0.0.4") == nil)
        #expect(NameEscapingScheme.requested(byAccept: "text/plain;escaping=bogus") == nil)
    }

    @Test func allowUTF8LeavesNamesAlone() {
        #expect(NameEscapingScheme.allowUTF8.escape(metricName: "my.metric") == "my.metric")
    }
}
