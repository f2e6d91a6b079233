import Foundation
import MetricModel

/// Go's `time.Time` in JSON (RFC 3339 with fractional seconds trimmed) and in text
/// (`2006-01-02 15:04:05.999999999 -0700 MST`).
public enum GoTime {
    public static let zeroJSON = "0001-01-01T00:00:00Z"

    public static func rfc3339(_ ms: Int64) -> String {
        let (date, frac) = parts(ms)
        return date + (frac.isEmpty ? "" : "." + frac) + "Z"
    }

    public static func text(_ ms: Int64) -> String {
        let (date, frac) = parts(ms)
        return date.replacingOccurrences(of: "T", with: " ") + (frac.isEmpty ? "" : "." + frac) + " +0000 UTC"
    }

    private static func parts(_ ms: Int64) -> (String, String) {
        let seconds = ms.floorDivided(by: 1000)
        let millis = ms - seconds * 1000
        var t = time_t(seconds)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let date = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1, Int(tmv.tm_mday),
                          Int(tmv.tm_hour), Int(tmv.tm_min), Int(tmv.tm_sec))
        var frac = millis == 0 ? "" : String(format: "%03d", Int(millis))
        while frac.hasSuffix("0") { frac.removeLast() }
        return (date, frac)
    }

    /// Parses RFC 3339 (`2024-05-01T10:00:00Z`, fractions and offsets allowed) to milliseconds.
    public static func parse(_ s: String) -> Int64? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // Checked: a date far beyond any clock (a year in the billions) is no time at all.
        if let d = f.date(from: s) { return Milliseconds.fromSeconds(d.timeIntervalSince1970) }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return Milliseconds.fromSeconds(d.timeIntervalSince1970) }
        // More than millisecond precision (Go writes nanoseconds): drop the extra digits.
        if let dot = s.firstIndex(of: "."), let zone = s[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = s[s.index(after: dot)..<zone]
            if digits.count > 3, digits.allSatisfy(\.isNumber) {
                return parse(String(s[..<dot]) + "." + digits.prefix(3) + String(s[zone...]))
            }
        }
        return nil
    }
}

extension Int64 {
    func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
