import Foundation

/// `metric_name_validation_scheme`: which metric and label names a scrape accepts.
public enum NameValidationScheme: String, Sendable, Hashable {
    /// Any non-empty UTF-8 name (Prometheus 3's default).
    case utf8
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` metric names and `[a-zA-Z_][a-zA-Z0-9_]*` label names only.
    case legacy
}

/// `metric_name_escaping_scheme` and the `escaping` parameter of exposition media types: how
/// names that are not legacy names are written for a reader that may not take UTF-8 names.
public enum NameEscapingScheme: String, Sendable, Hashable {
    /// Names as they are, quoted where needed (needs ``NameValidationScheme/utf8``).
    case allowUTF8 = "allow-utf-8"
    /// Every other character as `_`.
    case underscores
    /// `.` as `_dot_`, `_` as `__`, others as `_` followed by the code point.
    case dots
    /// `U__` followed by the name with every other character as `_` and its hex code point `_`.
    case values
}

extension NameValidationScheme {
    /// Whether `name` is a metric name under this scheme (a Swift string is always valid UTF-8).
    public func isValid(metricName name: String) -> Bool { self == .utf8 ? !name.isEmpty : LabelName.isValidLegacyMetric(name) }

    /// Whether `name` is a label name under this scheme.
    public func isValid(labelName name: String) -> Bool { self == .utf8 ? !name.isEmpty : LabelName.isValidLegacy(name) }
}

extension NameEscapingScheme {
    /// `name` as a metric name under this scheme (unchanged for ``allowUTF8``).
    public func escape(metricName name: String) -> String { escape(name, allowsColon: true) }

    /// `name` as a label name under this scheme (unchanged for ``allowUTF8``).
    public func escape(labelName name: String) -> String { escape(name, allowsColon: false) }

    private func escape(_ name: String, allowsColon: Bool) -> String {
        func isLegacy(_ c: Unicode.Scalar, at i: Int) -> Bool {
            switch c {
            case "a"..."z", "A"..."Z", "_": return true
            case ":": return allowsColon
            case "0"..."9": return i > 0
            default: return false
            }
        }
        var out = ""
        switch self {
        case .allowUTF8:
            return name
        case .underscores:
            for (i, c) in name.unicodeScalars.enumerated() { out.unicodeScalars.append(isLegacy(c, at: i) ? c : "_") }
        case .dots:
            for (i, c) in name.unicodeScalars.enumerated() {
                if c == "_" { out += "__" } else if c == "." { out += "_dot_" } else if isLegacy(c, at: i) { out.unicodeScalars.append(c) } else { out += "__" }
            }
        case .values:
            let scalars = Array(name.unicodeScalars)
            guard !scalars.enumerated().allSatisfy({ isLegacy($0.element, at: $0.offset) }) else { return name }
            out = "U__"
            for (i, c) in scalars.enumerated() {
                if c == "_" { out += "__" } else if isLegacy(c, at: i) { out.unicodeScalars.append(c) } else { out += "_" + String(c.value, radix: 16) + "_" }
            }
        }
        return out
    }

    /// A name escaped by ``values`` as it was (`U__` then `__` for `_` and `_HEX_` for the code
    /// point HEX); any other name as it is, and so is one whose escapes do not decode.
    public static func unescapingValues(_ name: String) -> String {
        guard name.hasPrefix("U__") else { return name }
        var out = ""
        var chars = Array(name.unicodeScalars.dropFirst(3))[...]
        while let c = chars.popFirst() {
            guard c == "_" else { out.unicodeScalars.append(c); continue }
            if chars.first == "_" {
                chars.removeFirst()
                out += "_"
                continue
            }
            var hex = ""
            while let h = chars.first, h != "_" {
                hex.unicodeScalars.append(h)
                chars.removeFirst()
            }
            guard chars.popFirst() == "_", hex.count <= 8, let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else { return name }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// The `escaping` parameter of an `Accept` header's first media type that has one, nil when
    /// none has (or its value is unknown).
    public static func requested(byAccept accept: String) -> NameEscapingScheme? {
        for mediaType in accept.split(separator: ",") {
            for parameter in mediaType.split(separator: ";") {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == "escaping", let scheme = NameEscapingScheme(rawValue: pair[1]) { return scheme }
            }
        }
        return nil
    }
}
