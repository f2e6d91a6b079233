import Config

/// Turns OpenTelemetry metric and attribute names into Prometheus metric and label names, by the
/// `otlp.translation_strategy` in force.
///
/// With suffixes (the default), a name is cut into words at every character outside
/// `[a-zA-Z0-9:]` (underscores included, so runs of them collapse), the unit's words are added
/// unless already there, monotonic sums end in `total` and dimensionless gauges in `ratio`, and
/// the words are joined with `_`: `http.server.request.duration` in `s` becomes
/// `http_server_request_duration_seconds`. Without suffixes, only characters outside
/// `[a-zA-Z0-9_:]` are replaced. A name that would start with a digit gets a leading `_`.
struct OTLPNameTranslator: Sendable {
    /// What kind of Prometheus series a metric becomes, which decides its suffixes.
    enum Kind {
        case counter, gauge, histogram, summary
    }

    var addSuffixes: Bool
    /// Whether names keep every character (the UTF-8 strategies).
    var keepsUTF8: Bool

    init(strategy: OTLPConfig.TranslationStrategy) {
        addSuffixes = strategy == .underscoreEscapingWithSuffixes || strategy == .noUTF8EscapingWithSuffixes
        keepsUTF8 = strategy.keepsUTF8
    }

    /// The Prometheus name of a metric (before `_bucket`, `_sum`, `_count`), empty when nothing
    /// of `name` is usable.
    func metricName(_ name: String, unit: String, kind: Kind) -> String {
        if keepsUTF8 { return addSuffixes ? Self.suffixed(name, unit: unit, kind: kind) : name }
        guard addSuffixes else { return Self.escaped(name) }
        var words = name.utf8.split { !Self.isNameByte($0) || $0 == UInt8(ascii: "_") }.map { String(decoding: $0, as: UTF8.self) }
        let unitWords = OTLPUnit(unit)
        if !unitWords.main.isEmpty, !words.contains(unitWords.main) { words.append(unitWords.main) }
        if !unitWords.per.isEmpty, !words.contains(unitWords.per) { words += ["per", unitWords.per] }
        if kind == .counter {
            words.removeAll { $0 == "total" }
            words.append("total")
        }
        if kind == .gauge, unit == "1" {
            words.removeAll { $0 == "ratio" }
            words.append("ratio")
        }
        return Self.leadingDigitGuarded(words.joined(separator: "_"))
    }

    /// A UTF-8 name with its suffixes appended as they are, each unless the name already ends
    /// in it: `http.server.request.duration` in `s` becomes `http.server.request.duration_seconds`.
    static func suffixed(_ name: String, unit: String, kind: Kind) -> String {
        var out = name
        func append(_ suffix: String) {
            guard !suffix.isEmpty, !out.hasSuffix("_" + suffix), out != suffix else { return }
            out += out.isEmpty ? suffix : "_" + suffix
        }
        let words = OTLPUnit(unit)
        append(words.main)
        if !words.per.isEmpty { append("per_" + words.per) }
        if kind == .counter { append("total") }
        if kind == .gauge, unit == "1" { append("ratio") }
        return out
    }

    /// The label name of an attribute key under this translator: kept as sent by the UTF-8
    /// strategies, else ``labelName(_:)``.
    func attributeLabelName(_ key: String) -> String { keepsUTF8 ? key : Self.labelName(key) }

    /// The label name of an attribute key: characters outside `[a-zA-Z0-9_]` become `_`, and a key
    /// starting with a digit or a single `_` gets `key` in front (`2xx` → `key_2xx`,
    /// `_tag` → `key_tag`), since names with `__` are reserved.
    static func labelName(_ key: String) -> String {
        var body = ""
        body.reserveCapacity(key.utf8.count)
        for scalar in key.unicodeScalars {
            let isLabelByte = scalar.isASCII && isNameByte(UInt8(scalar.value)) && scalar != ":"
            if isLabelByte { body.unicodeScalars.append(scalar) } else { body.append("_") }
        }
        let bytes = Array(body.utf8.prefix(2))
        guard let first = bytes.first else { return "" }
        if isDigit(first) { return "key_" + body }
        if first == UInt8(ascii: "_"), bytes.count < 2 || bytes[1] != UInt8(ascii: "_") { return "key" + body }
        return body
    }

    /// `[a-zA-Z0-9_:]`, the bytes of a classic metric name.
    @inline(__always)
    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Every character outside `[a-zA-Z0-9_:]` replaced by `_` (a multi-byte character by one).
    static func escaped(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        for scalar in name.unicodeScalars {
            if scalar.isASCII, isNameByte(UInt8(scalar.value)) { out.unicodeScalars.append(scalar) } else { out.append("_") }
        }
        return leadingDigitGuarded(out)
    }

    static func leadingDigitGuarded(_ name: String) -> String {
        guard let first = name.utf8.first, isDigit(first) else { return name }
        return "_" + name
    }
}
