import Foundation
import Testing
@testable import Alertmanager

/// Times from API v2 bodies (silences, alerts) are parsed with a checked conversion.
@Suite struct GoTimeTests {
    @Test(arguments: [
        "292277026-12-04T15:30:07Z", "-292273086-05-16T16:47:06Z", "99999999999-01-01T00:00:00Z",
        "9999999-12-31T23:59:59.999Z", "10000-01-01T00:00:00Z",
    ])
    func extremeYearsAreNoTimeOrInRangeNeverATrap(text: String) {
        if let ms = GoTime.parse(text) { #expect(abs(ms) <= 1 << 50, "\(text) → \(ms)") }
    }

    /// The body the fuzzer found: a 122-digit fraction divided by zero inside ICU's date parser.
    @Test func anAlertWithAHundredDigitFractionIsTakenNotATrap() throws {
        let body = #"[{"labels":{"alertname":"Down"},"startsAt":"2024-05-01T10:00:02."# + String(repeating: "2", count: 120) + #"3Z"}]"#
        let alerts = try PostableAlert.decodeList(Data(body.utf8))
        #expect(alerts.first?.startsAt == 1_714_557_602_222)
    }

    @Test func ordinaryTimesParseToMilliseconds() {
        #expect(GoTime.parse("2026-01-01T00:00:00Z") == 1_767_225_600_000)
        #expect(GoTime.parse("2026-01-01T00:00:00.250Z") == 1_767_225_600_250)
    }
}
