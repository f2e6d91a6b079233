/// Double-quoted string literals with JSON escapes, valid in JSON and in YAML's double-quoted style.
public enum JSONString {
    private static let named: [Unicode.Scalar: String] = ["\n": "\\n", "\r": "\\r", "\t": "\\t"]

    public static func quote(_ s: String) -> String {
        "\"" + StringEscaping.escape(s, named: named) { $0.value < 0x20 ? "\\u" + StringEscaping.hex($0.value, width: 4) : nil } + "\""
    }
}
