/// A Prometheus duration such as `1h30m`, `15s`, `500ms` or `2d`, held in milliseconds.
public struct PromDuration: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public var seconds: Double { Double(milliseconds) / 1000 }
    public var duration: Duration { .milliseconds(milliseconds) }

    /// Errors reading a duration string.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var text: String
        public var description: String { "not a valid duration string: \"\(text)\"" }
    }

    private static let units: [(String, Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
        ("d", 86_400_000), ("w", 604_800_000), ("y", 31_536_000_000),
    ]

    /// Parses units in descending order (`y w d h m s ms`), each at most once; `0` alone is allowed.
    public init(parsing text: String) throws(ParseError) {
        if text == "0" { self.milliseconds = 0; return }
        let bytes = Array(text.utf8)
        var i = 0
        var total: Int64 = 0
        var lastRank = Int.max
        guard !bytes.isEmpty else { throw ParseError(text: text) }
        while i < bytes.count {
            var n: Int64 = 0
            let start = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 0x30))
                if o1 || o2 { throw ParseError(text: text) }
                n = a
                i += 1
            }
            guard i > start else { throw ParseError(text: text) }
            var unitEnd = i
            while unitEnd < bytes.count, !(bytes[unitEnd] >= 0x30 && bytes[unitEnd] <= 0x39) { unitEnd += 1 }
            let unit = String(decoding: bytes[i..<unitEnd], as: UTF8.self)
            guard let rank = Self.units.firstIndex(where: { $0.0 == unit }), rank < lastRank else {
                throw ParseError(text: text)
            }
            lastRank = rank
            let (v, o) = n.multipliedReportingOverflow(by: Self.units[rank].1)
            let (t, o2) = total.addingReportingOverflow(v)
            if o || o2 { throw ParseError(text: text) }
            total = t
            i = unitEnd
        }
        self.milliseconds = total
    }

    public static func < (lhs: PromDuration, rhs: PromDuration) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Canonical rendering as Prometheus prints it (`1h30m`, `15s`, `0s`).
    public var description: String {
        if milliseconds == 0 { return "0s" }
        var out = milliseconds < 0 ? "-" : ""
        // The magnitude, so even Int64.min prints rather than traps.
        var ms = milliseconds.magnitude
        for (unit, size) in [("y", UInt64(31_536_000_000)), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if ms >= size {
                out += "\(ms / size)\(unit)"
                ms %= size
            }
        }
        return out
    }
}
