import Foundation
import MetricModel

/// The labels that name a group of pushed metrics: `job` and any further pairs of a push URL
/// (`/metrics/job/<job>{/<label>/<value>}`), exactly as the Pushgateway reads them.
///
/// Each name or value is percent-decoded; a name ending in `@base64` has its value in URL-safe
/// base64 (padding optional), which is how clients send values with `/` and empty values (`=`).
/// A label name outside the legacy set comes escaped as `U__…` (`U__model_2e_stage` for
/// `model.stage`), as the Pushgateway takes UTF-8 names in paths.
public struct GroupingKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Every pair of the URL sorted by name, empty values included: as for the Pushgateway,
    /// `/metrics/job/a/run@base64/=` names another group than `/metrics/job/a`.
    public let pairs: [Label]
    /// The pairs as stored series carry them (empty values left out, as everywhere in Prometheus).
    public let labels: Labels

    /// A key of these pairs (names unique).
    public init(pairs: [Label]) {
        self.pairs = pairs.sorted()
        labels = Labels(pairs)
    }

    public static func == (a: GroupingKey, b: GroupingKey) -> Bool { a.pairs == b.pairs }
    public func hash(into hasher: inout Hasher) { hasher.combine(pairs) }
    public static func < (a: GroupingKey, b: GroupingKey) -> Bool { a.pairs.lexicographicallyPrecedes(b.pairs) }
    public var description: String { "{" + pairs.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "}" }

    /// Reads the part of a push URL after `/metrics/`, e.g. `job/train/stage@base64/L3RtcA`.
    public init(path: Substring) throws(PushError) {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if segments.count > 2, segments.last?.isEmpty == true { segments.removeLast() } // one trailing slash
        guard segments.count >= 2, segments.count % 2 == 0 else {
            throw PushError(.badPath, "the URL must name a job and then label/value pairs: /metrics/job/<job>{/<label>/<value>}")
        }
        var pairs: [Label] = []
        var index = 0
        while index < segments.count {
            var name = try Self.percentDecoded(segments[index])
            let encoded = name.hasSuffix("@base64")
            if encoded { name.removeLast("@base64".count) }
            let rawValue = segments[index + 1]
            let value = encoded ? try Self.base64Decoded(rawValue, label: name) : try Self.percentDecoded(rawValue)
            if index == 0 {
                guard name == LabelName.job else { throw PushError(.badPath, "a push URL starts with /metrics/job/<job>, not /metrics/\(name.prefix(100))/") }
                guard !value.isEmpty else { throw PushError(.badPath, "the job name is empty") }
            } else {
                let unescaped = NameEscapingScheme.unescapingValues(name)
                let valid = unescaped != name ? !unescaped.isEmpty : LabelName.isValidLegacy(name)
                guard valid, !unescaped.hasPrefix(LabelName.reservedPrefix) else {
                    throw PushError(.badPath, "improper label name \"\(name.prefix(100))\" in the grouping key")
                }
                name = unescaped
                guard !pairs.contains(where: { $0.name == name }) else {
                    throw PushError(.badPath, "label \"\(name)\" appears twice in the grouping key")
                }
            }
            pairs.append(Label(name, value))
            index += 2
        }
        self.init(pairs: pairs)
    }

    /// `%XX` escapes resolved (`+` stays a plus, as in a URL path); the result must be UTF-8.
    static func percentDecoded(_ s: Substring) throws(PushError) -> String {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return String(s) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var iterator = Array(s.utf8).makeIterator()
        while let b = iterator.next() {
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            guard let h = iterator.next().flatMap(hexValue), let l = iterator.next().flatMap(hexValue) else {
                throw PushError(.badPath, "malformed percent-escape in \"\(s.prefix(100))\"")
            }
            bytes.append(h << 4 | l)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw PushError(.badPath, "\"\(s.prefix(100))\" is not UTF-8 once decoded") }
        return text
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// URL-safe base64 (the standard alphabet is accepted too), with or without `=` padding.
    static func base64Decoded(_ s: Substring, label: String) throws(PushError) -> String {
        var text = String(s).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.hasSuffix("=") { text.removeLast() }
        if text.isEmpty { return "" }
        text += String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: text), let value = String(validating: Array(data), as: UTF8.self) else {
            throw PushError(.badPath, "invalid base64 value for label \"\(label.prefix(100))\"")
        }
        return value
    }
}
