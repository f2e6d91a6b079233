/// Reading RFC 3339 times (`2024-05-01T10:00:00Z`, `2024-05-01T12:00:00.123456789+02:00`) as the
/// Prometheus and Alertmanager APIs take them, byte by byte.
///
/// Every field is range-checked (months, days of the month, hours, minutes, seconds 0–59), so no
/// text can make the arithmetic trap, and nothing here goes through a platform date formatter
/// (ICU's divides by zero on a long fraction, which took the server down with it).
public enum RFC3339 {
    /// Which spellings a server takes besides strict RFC 3339.
    public struct Grammar: Sendable {
        /// The most digits a fraction of a second may have.
        public var maxFractionDigits: Int
        /// The largest hours and minutes of a `±hh:mm` offset.
        public var maxOffsetHours: Int64, maxOffsetMinutes: Int64
        /// Whether a time may lack its zone (then it is UTC) or its seconds (`10:00`), use a space
        /// instead of `T` when it has no zone, or write an offset without its colon (`+0200`) after
        /// a fraction.
        public var isLenient: Bool

        /// What Prometheus' HTTP API takes (Go's `time.RFC3339Nano`): a four-digit year, `T`,
        /// seconds, an optional fraction of one to nine digits after `.` or `,`, and `Z` or a
        /// `±hh:mm` offset (Go takes hours up to 24 and minutes up to 60 there). Lower-case `t`
        /// and `z` and leap seconds are refused, as there.
        public static let prometheus = Grammar(maxFractionDigits: 9, maxOffsetHours: 24, maxOffsetMinutes: 60, isLenient: false)

        /// What Alertmanager's API v2 takes in `startsAt` and `endsAt`: the above with a fraction
        /// of any length and offsets of at most 23:59, and also the ISO 8601 local forms its
        /// clients send — no zone (UTC, as Python's `datetime.utcnow().isoformat()` writes), no
        /// seconds, a space separator, `+hhmm` offsets after a fraction.
        public static let alertmanager = Grammar(maxFractionDigits: .max, maxOffsetHours: 23, maxOffsetMinutes: 59, isLenient: true)
    }

    /// `text` as milliseconds since the Unix epoch (fractions beyond milliseconds truncated, as
    /// Prometheus does); nil when `grammar` does not take it.
    public static func milliseconds(_ text: some StringProtocol, grammar: Grammar = .prometheus) -> Int64? {
        var copy = String(text)
        return copy.withUTF8 { milliseconds(utf8: $0, grammar: grammar) }
    }

    /// The bytes of a time as milliseconds since the Unix epoch; nil when `grammar` does not take it.
    public static func milliseconds(utf8 b: UnsafeBufferPointer<UInt8>, grammar: Grammar = .prometheus) -> Int64? {
        // YYYY-MM-DDTHH:MM is 16 bytes.
        guard b.count >= 16, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T") || (grammar.isLenient && b[10] == UInt8(ascii: " ")),
              b[13] == UInt8(ascii: ":"),
              let year = digits(b, 0, 4), let month = digits(b, 5, 2), let day = digits(b, 8, 2),
              let hour = digits(b, 11, 2), let minute = digits(b, 14, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60
        else { return nil }
        var i = 16
        var second: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard b.count >= 19, let s = digits(b, 17, 2), s < 60 else { return nil }
            second = s
            i = 19
        } else if !grammar.isLenient {
            return nil
        }
        var millis: Int64 = 0
        var hasFraction = false
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            let start = i
            while i < b.count, let d = digit(b[i]) {
                if i - start < 3 { millis = millis * 10 + d }
                i += 1
            }
            guard i > start, i - start <= grammar.maxFractionDigits else { return nil }
            hasFraction = true
            for _ in min(i - start, 3)..<3 { millis *= 10 }
        }
        var offsetSeconds: Int64 = 0
        let spaced = b[10] == UInt8(ascii: " ")
        if i == b.count {
            guard grammar.isLenient else { return nil }
        } else if spaced {
            return nil
        } else if b[i] == UInt8(ascii: "Z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let hasColon = b.count - i == 6 && b[i + 3] == UInt8(ascii: ":")
            guard hasColon || (grammar.isLenient && hasFraction && b.count - i == 5),
                  let h = digits(b, i + 1, 2), let m = digits(b, hasColon ? i + 4 : i + 3, 2),
                  h <= grammar.maxOffsetHours, m <= grammar.maxOffsetMinutes
            else { return nil }
            offsetSeconds = (h * 60 + m) * 60 * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i = b.count
        }
        guard i == b.count else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1000 + millis
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (negative before it).
    package static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        // Count years from March so the leap day ends the year; eras are 400 years.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func digit(_ byte: UInt8) -> Int64? {
        byte >= 0x30 && byte <= 0x39 ? Int64(byte - 0x30) : nil
    }

    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int64? {
        guard at + count <= b.count else { return nil }
        var n: Int64 = 0
        for i in at..<at + count {
            guard let d = digit(b[i]) else { return nil }
            n = n * 10 + d
        }
        return n
    }
}
