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

    /// Parses RFC 3339 (`2024-05-01T10:00:00Z`, fractions and offsets allowed) to milliseconds,
    /// as Alertmanager's API reads `startsAt` and `endsAt`.
    public static func parse(_ s: String) -> Int64? { RFC3339.milliseconds(s, grammar: .alertmanager) }
}

extension Int64 {
    func floorDivided(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
