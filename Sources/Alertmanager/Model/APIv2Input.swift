import Foundation
import MetricModel

/// Reading Alertmanager API v2 request bodies (parsed by `JSONSerialization`) with every field
/// checked: a wrong type or an unparsable time is an error naming the field, never a trap.
package enum APIv2Input {
    /// A JSON request body that is not what the API expects.
    package struct Invalid: Error, CustomStringConvertible {
        package var description: String
        package init(_ d: String) { description = d }
    }

    /// An object of strings (labels, annotations); nil when absent or null.
    package static func stringMap(_ v: Any?, _ what: String) throws(Invalid) -> Labels? {
        guard let v, !(v is NSNull) else { return nil }
        guard let obj = v as? [String: Any] else { throw Invalid("\(what) must be an object of strings") }
        var pairs: [Label] = []
        for (k, value) in obj {
            guard let s = value as? String else { throw Invalid("\(what).\(k) must be a string") }
            pairs.append(Label(k, s))
        }
        return Labels(pairs)
    }

    /// An RFC 3339 time in milliseconds; nil when absent, null, empty or Go's zero time.
    package static func time(_ v: Any?, _ what: String) throws(Invalid) -> Int64? {
        guard let v, !(v is NSNull) else { return nil }
        guard let s = v as? String else { throw Invalid("\(what) must be an RFC 3339 time") }
        if s.isEmpty || s.hasPrefix("0001-01-01T00:00:00") { return nil }
        guard let ms = GoTime.parse(s) else { throw Invalid("\(what): cannot parse \(s) as an RFC 3339 time") }
        return ms
    }
}
