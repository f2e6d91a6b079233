/// Floats formatted as Go's `strconv.FormatFloat(v, 'f', -1, 64)`, which Prometheus uses for sample
/// values in the API and for values that become labels (`count_values`, `histogram_quantiles`).
public enum GoFloat {
    /// The shortest round-trip digits, never an exponent.
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        var shortest = v.description
        // Byte-level checks: this runs for values that become labels or API text.
        let (hasExponent, pointZero) = shortest.withUTF8 { b in
            (b.contains(UInt8(ascii: "e")), b.count >= 2 && b[b.count - 1] == UInt8(ascii: "0") && b[b.count - 2] == UInt8(ascii: "."))
        }
        guard hasExponent else { return pointZero ? String(shortest.dropLast(2)) : shortest }
        guard let e = shortest.firstIndex(of: "e") else { return shortest }
        let exponent = Int(shortest[shortest.index(after: e)...]) ?? 0
        var mantissa = String(shortest[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        var frac = parts.count > 1 ? String(parts[1]) : ""
        if frac == "0" { frac = "" }
        let digits = intPart + frac
        let pointPosition = intPart.count + exponent
        var out: String
        if pointPosition <= 0 {
            out = "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition >= digits.count {
            out = digits + String(repeating: "0", count: pointPosition - digits.count)
        } else {
            let idx = digits.index(digits.startIndex, offsetBy: pointPosition)
            out = String(digits[..<idx]) + "." + String(digits[idx...])
        }
        return (negative ? "-" : "") + out
    }
}
