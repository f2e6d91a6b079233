import Foundation
import Hummingbird
import MetricModel

/// Request parameters from the query string and, for POST, a form-encoded body (Grafana's default).
package struct APIParameters {
    private var values: [(String, String)] = []

    /// Parameters from a form-encoded text (a query string or a POST body).
    package init(form: String) { values = Self.parseForm(form) }

    private init() {}

    /// The largest form body a request may send (Grafana posts long queries as forms).
    static let maxFormBody = 8 << 20

    /// The parameters of `request`. A form body over 8 MiB is refused with 413 (Content Too
    /// Large) rather than read without bound or silently ignored.
    static func from(_ request: Request) async throws -> APIParameters {
        var p = APIParameters()
        // Keys and values are both percent-decoded (`match%5B%5D` is `match[]`).
        if let query = request.uri.query { p.values += Self.parseForm(query) }
        if request.method == .post,
           request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false {
            let body = try await request.body.collect(upTo: maxFormBody)
            p.values += Self.parseForm(String(buffer: body))
        }
        return p
    }

    static func parseForm(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let k = parts.first else { return nil }
            return (formDecoded(k), parts.count > 1 ? formDecoded(parts[1]) : "")
        }
    }

    /// One key or value of a form: `+` is a space, `%XX` a byte. A malformed escape or bytes that
    /// are not UTF-8 leave the text as it came.
    static func formDecoded(_ s: Substring) -> String {
        let utf8 = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let b = utf8[i]
            if b == UInt8(ascii: "+") {
                out.append(0x20)
            } else if b == UInt8(ascii: "%") {
                guard i + 2 < utf8.count, let hi = hexDigit(utf8[i + 1]), let lo = hexDigit(utf8[i + 2]) else { return String(s) }
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(validating: out, as: UTF8.self) ?? String(s)
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    package subscript(_ name: String) -> String? { values.last { $0.0 == name }?.1 }

    package func all(_ name: String) -> [String] { values.filter { $0.0 == name }.map(\.1) }

    /// Errors in parameters are the client's (`bad_data`).
    package struct Invalid: Error { package var message: String }

    /// A time as RFC 3339 or Unix seconds with fractions, in milliseconds.
    package func time(_ name: String, default fallback: Int64) throws(Invalid) -> Int64 {
        guard let text = self[name], !text.isEmpty else { return fallback }
        if let t = Self.parseTime(text) { return t }
        throw Invalid(message: "invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid timestamp")
    }

    /// A time as Unix seconds or RFC 3339, in milliseconds; nil when unparsable or beyond
    /// ``Milliseconds/limit`` (so later arithmetic on it cannot overflow). Prometheus' own
    /// spellings of the earliest and latest time (which its clients send for "unbounded") are the
    /// earliest and latest Vigil accepts.
    static func parseTime(_ text: String) -> Int64? {
        if let v = Double(text) { return Milliseconds.fromSeconds(v) }
        if let ms = RFC3339.milliseconds(text, grammar: .prometheus) { return ms }
        switch text {
        case "-292273086-05-16T16:47:06Z": return -Milliseconds.limit
        case "292277025-08-18T07:12:54.999999999Z": return Milliseconds.limit
        default: return nil
        }
    }

    /// A duration as float seconds or a Prometheus duration, in milliseconds.
    package func duration(_ name: String) throws(Invalid) -> Int64? {
        guard let text = self[name], !text.isEmpty else { return nil }
        if let v = Double(text), let ms = Milliseconds.fromSeconds(v) { return ms }
        if let d = try? PromDuration(parsing: text), Milliseconds.isInRange(d.milliseconds) { return d.milliseconds }
        throw Invalid(message: "invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid duration")
    }

    /// A result limit: absent or empty means none (0); negative or unparsable is the client's error.
    package func limit(_ name: String = "limit") throws(Invalid) -> Int {
        guard let text = self[name], !text.isEmpty else { return 0 }
        guard let n = Int(text) else { throw Invalid(message: "invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid integer") }
        guard n >= 0 else { throw Invalid(message: "invalid parameter \"\(name)\": limit must be non-negative") }
        return n
    }
}
