import Testing
@testable import MetricModel

/// RFC 3339 times as Prometheus' and Alertmanager's APIs read them (the verdicts come from the
/// real servers; `TimeParameterIntegrationTests` asks them again).
@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("2023-11-14T22:13:20Z", 1_700_000_000_000 as Int64), ("2023-11-14T22:13:20.250Z", 1_700_000_000_250),
        ("2023-11-14T22:13:20.123456789Z", 1_700_000_000_123), ("2023-11-14T22:13:20,5Z", 1_700_000_000_500),
        ("2023-11-14T22:13:20+02:00", 1_699_992_800_000), ("2023-11-14T22:13:20-00:00", 1_700_000_000_000),
        ("2023-11-14T22:13:20+24:30", 1_699_911_800_000), ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("1970-01-01T00:00:00Z", 0), ("1969-12-31T23:59:59.999Z", -1), ("0000-01-01T00:00:00Z", -62_167_219_200_000),
        ("9999-12-31T23:59:59Z", 253_402_300_799_000), ("2000-03-01T00:00:00Z", 951_868_800_000),
    ])
    func prometheusTakesRFC3339NanoAndTruncatesToMilliseconds(text: String, ms: Int64) {
        #expect(RFC3339.milliseconds(text, grammar: .prometheus) == ms)
        if !text.contains("+24:") { #expect(RFC3339.milliseconds(text, grammar: .alertmanager) == ms) }
    }

    @Test(arguments: ["2023-11-14T22:13:20+24:30", "2023-11-14T22:13:20+23:60", "2023-11-14T22:13:20+0000", "2023-11-14 22:13:20Z"])
    func alertmanagerRefusesWhatItsAPIRefuses(text: String) {
        #expect(RFC3339.milliseconds(text, grammar: .alertmanager) == nil)
    }

    @Test(arguments: [
        "2023-11-14T22:13:20", "2023-11-14T22:13Z", "2023-11-14 22:13:20", "2023-11-14T22:13:20.123+0100",
        "2023-11-14T22:13:20.1234567891234Z", "2023-02-29T00:00:00Z", "2023-11-14T22:13:60Z", "2023-11-14t22:13:20z",
        "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+01", "2023-11-14", "+2023-11-14T22:13:20Z", "2023-13-01T00:00:00Z",
        "2023-11-14T25:00:00Z", "2023-11-14T22:13:20ZZ", "2023-11-14T22:13:20+25:00", "", "２０２３-11-14T22:13:20Z",
        "2023-11-14T22:13:20.１Z", "2023-00-10T00:00:00Z", "2023-04-31T00:00:00Z", "1900-02-29T00:00:00Z",
    ])
    func prometheusRefusesWhatGoRefuses(text: String) {
        #expect(RFC3339.milliseconds(text, grammar: .prometheus) == nil)
    }

    @Test(arguments: [
        ("2023-11-14T22:13:20", 1_700_000_000_000 as Int64), ("2023-11-14T22:13:20.123456", 1_700_000_000_123),
        ("2023-11-14T22:13Z", 1_699_999_980_000), ("2023-11-14T22:13", 1_699_999_980_000),
        ("2023-11-14 22:13:20", 1_700_000_000_000), ("2023-11-14T22:13:20.123+0100", 1_699_996_400_123),
        ("2023-11-14T22:13:20.1234567891234Z", 1_700_000_000_123),
    ])
    func alertmanagerAlsoTakesLocalAndShortForms(text: String, ms: Int64) {
        #expect(RFC3339.milliseconds(text, grammar: .alertmanager) == ms)
    }

    /// The input that divided by zero inside ICU's date parser.
    @Test func aFractionOfAHundredDigitsIsTruncatedNotATrap() {
        let text = "2024-05-01T10:00:02." + String(repeating: "2", count: 120) + "3Z"
        #expect(RFC3339.milliseconds(text, grammar: .alertmanager) == 1_714_557_602_222)
        #expect(RFC3339.milliseconds(text, grammar: .prometheus) == nil)
    }

    @Test func everyDayOfFourHundredYearsFollowsTheDayBefore() {
        var expected = RFC3339.daysSinceEpoch(year: 1799, month: 12, day: 31)
        var wrong: [String] = []
        for year in Int64(1800)...2200 {
            for month in Int64(1)...12 {
                let days: Int64 = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(month - 1)]
                for day in 1...days {
                    expected += 1
                    if RFC3339.daysSinceEpoch(year: year, month: month, day: day) != expected { wrong.append("\(year)-\(month)-\(day)") }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        #expect(RFC3339.daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
    }
}
