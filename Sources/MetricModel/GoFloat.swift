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

    /// Go's `strconv.FormatFloat(v, 'e', -1, 64)`: shortest digits, one before the point, and an
    /// exponent of at least two digits (`1e+00`, `2.5e-07`), as Prometheus writes alert values.
    public static func exponent(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0e+00" : "0e+00" }
        // The shortest digits and the decimal exponent, from the plain form.
        let plain = format(v.magnitude)
        var digits = plain.replacingOccurrences(of: ".", with: "")
        let point = plain.firstIndex(of: ".").map { plain.distance(from: plain.startIndex, to: $0) } ?? plain.count
        let leadingZeros = digits.prefix { $0 == "0" }.count
        digits.removeFirst(leadingZeros)
        while digits.hasSuffix("0") { digits.removeLast() }
        let exp = point - leadingZeros - 1
        var out = v < 0 ? "-" : ""
        out += String(digits.prefix(1))
        if digits.count > 1 { out += "." + digits.dropFirst() }
        let e = abs(exp)
        out += (exp < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + String(e)
        return out
    }

    /// Go's `strconv.FormatFloat(v, 'g', -1, 64)`: the shortest digits, with an exponent when it is
    /// below -4 or at least 6 (`1e+06`, `1e-05`, `0.0001`, `123456`), as Go's text exposition writes
    /// bucket bounds and quantiles.
    public static func general(_ v: Double) -> String {
        if v.isNaN || v.isInfinite || v == 0 { return v == 0 ? (v.sign == .minus ? "-0" : "0") : format(v) }
        let e = exponent(v)
        guard let mark = e.firstIndex(of: "e"), let decimalExponent = Int(e[e.index(after: mark)...]) else { return format(v) }
        return decimalExponent < -4 || decimalExponent >= 6 ? e : format(v)
    }
}
