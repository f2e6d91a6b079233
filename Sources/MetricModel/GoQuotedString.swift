/// Double-quoted strings as Go's `strconv.Quote` writes them: the form PromQL prints string
/// literals and label values in, and templates print with `%q`.
public enum GoQuotedString {
    private static let named: [Unicode.Scalar: String] = [
        "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u{07}": "\\a", "\u{08}": "\\b", "\u{0C}": "\\f", "\u{0B}": "\\v",
    ]

    public static func quote(_ s: String) -> String {
        "\"" + StringEscaping.escape(s, named: named) { "\\x" + StringEscaping.hex($0.value, width: 2) } + "\""
    }
}

extension GoQuotedString {
    /// Quotes raw bytes that need not be valid UTF-8: valid sequences print as `quote` prints
    /// them, each byte of an invalid sequence as `\xNN`, as Go's `%q` does.
    public static func quote(bytes: [UInt8]) -> String {
        var inner = ""
        var i = 0
        while i < bytes.count {
            // The longest valid UTF-8 prefix from here, decoded as one piece.
            var j = i
            var iterator = bytes[i...].makeIterator()
            var decoder = UTF8()
            decode: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let s): j += UTF8.width(s)
                case .emptyInput, .error: break decode
                }
            }
            if j > i {
                let piece = quote(String(decoding: bytes[i..<j], as: UTF8.self))
                inner += piece.dropFirst().dropLast()
                i = j
            } else {
                inner += "\\x" + StringEscaping.hex(UInt32(bytes[i]), width: 2)
                i += 1
            }
        }
        return "\"" + inner + "\""
    }
}
