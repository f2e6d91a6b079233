import Foundation
import MetricModel

/// How an OTLP attribute value becomes a label value: strings as they are, numbers and booleans
/// in their usual text, bytes in base64, and arrays and maps as JSON text.
enum OTLPAttributeValue {
    /// Arrays and maps nested deeper than this are cut off (protobuf decoding already limits
    /// nesting; this keeps the text bounded on its own).
    static let maxDepth = 16

    static func text(_ value: Vigil_Otlp_V1_AnyValue) -> String {
        switch value.value {
        case .stringValue(let s): return s
        default:
            var out = ""
            write(value, into: &out, depth: 0, quoted: false)
            return out
        }
    }

    private static func write(_ value: Vigil_Otlp_V1_AnyValue, into out: inout String, depth: Int, quoted: Bool) {
        switch value.value {
        case nil: out += quoted ? "null" : ""
        case .stringValue(let s): out += quoted ? JSONString.quote(s) : s
        case .boolValue(let b): out += b ? "true" : "false"
        case .intValue(let i): out += String(i)
        case .doubleValue(let d): out += d.isFinite ? GoFloat.format(d) : (quoted ? JSONString.quote(GoFloat.format(d)) : GoFloat.format(d))
        case .bytesValue(let data):
            let encoded = data.base64EncodedString()
            out += quoted ? JSONString.quote(encoded) : encoded
        case .arrayValue(let array):
            guard depth < maxDepth else { out += "[]"; return }
            out += "["
            for (i, item) in array.values.enumerated() {
                if i > 0 { out += "," }
                write(item, into: &out, depth: depth + 1, quoted: true)
            }
            out += "]"
        case .kvlistValue(let list):
            guard depth < maxDepth else { out += "{}"; return }
            out += "{"
            for (i, kv) in list.values.enumerated() {
                if i > 0 { out += "," }
                out += JSONString.quote(kv.key) + ":"
                write(kv.value, into: &out, depth: depth + 1, quoted: true)
            }
            out += "}"
        }
    }
}
