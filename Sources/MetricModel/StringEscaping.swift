/// Backslash escaping shared by the quoting styles Vigil writes (JSON, Go's `strconv.Quote`,
/// Prometheus' label values): `"` and `\` always, named escapes and control characters per style.
package enum StringEscaping {
    package static func escape(_ s: String, named: [Unicode.Scalar: String], control: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        for c in s.unicodeScalars {
            if c == "\"" {
                out += "\\\""
            } else if c == "\\" {
                out += "\\\\"
            } else if let n = named[c] {
                out += n
            } else if c.value < 0x20 || c.value == 0x7F, let e = control(c) {
                out += e
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    package static func hex(_ v: UInt32, width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }
}
