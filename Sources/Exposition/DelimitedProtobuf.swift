import SwiftProtobuf

/// The delimited protobuf exposition format: each `MetricFamily` message preceded by its length
/// as a varint.
package enum DelimitedProtobuf {
    /// The families, each length-prefixed, one after the other.
    package static func encode(_ families: [ExposedMetricFamily]) throws -> [UInt8] {
        var out: [UInt8] = []
        for family in families {
            let bytes: [UInt8] = try family.serializedBytes()
            var length = UInt64(bytes.count)
            while length >= 0x80 {
                out.append(UInt8(truncatingIfNeeded: length) | 0x80)
                length >>= 7
            }
            out.append(UInt8(length))
            out += bytes
        }
        return out
    }
}
