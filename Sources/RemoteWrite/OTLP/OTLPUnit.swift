import Foundation

/// The words an OTLP metric's UCUM unit adds to its Prometheus name (`s` → `seconds`,
/// `By/s` → `bytes_per_second`), as the OpenTelemetry–Prometheus compatibility rules define them.
struct OTLPUnit: Equatable {
    /// The word for the unit itself (`seconds`), empty when none is added.
    var main: String
    /// The word for the unit it is divided by (`second` in `By/s`), empty when none.
    var per: String

    init(main: String, per: String) {
        self.main = main
        self.per = per
    }

    /// Reads a UCUM unit: `{…}` annotations say nothing about the scale and are dropped, known
    /// abbreviations are spelled out, other units are kept as words.
    init(_ unit: String) {
        var plain = ""
        var depth = 0
        for c in unit {
            if c == "{" { depth += 1; continue }
            if c == "}" { depth = max(0, depth - 1); continue }
            if depth == 0 { plain.append(c) }
        }
        let parts = plain.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let main = parts.first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        let per = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
        self.main = Self.word(Self.mainWords[main] ?? main)
        self.per = Self.word(Self.perWords[per] ?? per)
    }

    /// A unit word made of name characters only: runs of others become one `_`, none at the ends.
    static func word(_ s: String) -> String {
        var out = ""
        var pendingUnderscore = false
        for b in s.utf8 {
            if OTLPNameTranslator.isNameByte(b), b != UInt8(ascii: "_") {
                if pendingUnderscore, !out.isEmpty { out.append("_") }
                pendingUnderscore = false
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                pendingUnderscore = true
            }
        }
        return out
    }

    /// Units of the numerator, by UCUM abbreviation. `1` (a dimensionless ratio) adds nothing
    /// here; gauges in it get `ratio` (see ``OTLPNameTranslator``).
    static let mainWords: [String: String] = [
        "d": "days", "h": "hours", "min": "minutes", "s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds",
        "By": "bytes", "KiBy": "kibibytes", "MiBy": "mebibytes", "GiBy": "gibibytes", "TiBy": "tibibytes",
        "KBy": "kilobytes", "MBy": "megabytes", "GBy": "gigabytes", "TBy": "terabytes",
        "m": "meters", "V": "volts", "A": "amperes", "J": "joules", "W": "watts", "g": "grams",
        "Cel": "celsius", "Hz": "hertz", "1": "", "%": "percent",
    ]

    /// Units of the denominator, singular.
    static let perWords: [String: String] = [
        "s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "mo": "month", "y": "year",
    ]
}
