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
