import Foundation

/// Go's number formatting as templates print it (`fmt`'s `%v`, `%g`, `%e`, `%f`).
public enum GoFormat {
    /// Shortest round-trip decimal digits of |v| and the decimal exponent of the first digit.
    static func shortestDigits(_ v: Double) -> (digits: [UInt8], exponent: Int) {
        // Swift prints the shortest round-trip digits, in plain or exponent form.
        let text = v.magnitude.description
        var digits: [UInt8] = []
        var exponent = 0
        var pointAt: Int?
        var seenNonZero = false
        var leadingZeros = 0
        var mantissaEnd = text.utf8.endIndex
        if let e = text.utf8.firstIndex(where: { $0 == UInt8(ascii: "e") }) {
            mantissaEnd = e
            exponent = Int(String(text[text.utf8.index(after: e)...])) ?? 0
        }
        var count = 0
        for b in text.utf8[text.utf8.startIndex..<mantissaEnd] {
            if b == UInt8(ascii: ".") { pointAt = count; continue }
            if b == UInt8(ascii: "0") && !seenNonZero { leadingZeros += 1; count += 1; continue }
            seenNonZero = true
            digits.append(b)
            count += 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { return ([UInt8(ascii: "0")], 0) }
        let point = pointAt ?? count
        return (digits, point - leadingZeros - 1 + exponent)
    }

    /// `%v` / `%g` with the shortest precision: the exponent form when the decimal exponent is
    /// below -4 or at least 6 (so `1e+06`, `1.234567e+06`, `123456`, `0.0001`), plain otherwise.
    public static func general(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        let (digits, exp) = shortestDigits(v)
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let sign = v < 0 ? "-" : ""
        if exp < -4 || exp >= 6 { return sign + exponentForm(digits, exp) }
        return sign + plainForm(digits, exp)
    }

    static func exponentForm(_ digits: [UInt8], _ exp: Int) -> String {
        var out = String(decoding: digits.prefix(1), as: UTF8.self)
        if digits.count > 1 { out += "." + String(decoding: digits.dropFirst(), as: UTF8.self) }
        let e = abs(exp)
        return out + (exp < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + String(e)
    }

    static func plainForm(_ digits: [UInt8], _ exp: Int) -> String {
        let d = String(decoding: digits, as: UTF8.self)
        if exp < 0 { return "0." + String(repeating: "0", count: -exp - 1) + d }
        if digits.count <= exp + 1 { return d + String(repeating: "0", count: exp + 1 - digits.count) }
        let split = d.index(d.startIndex, offsetBy: exp + 1)
        return String(d[..<split]) + "." + String(d[split...])
    }

    /// `%.<precision>f`, rounding half to even on the binary value as Go does.
    public static func fixed(_ v: Double, precision: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        return String(format: "%.\(max(0, min(precision, 40)))f", v)
    }
}
