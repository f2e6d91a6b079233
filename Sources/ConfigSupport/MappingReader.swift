import MetricModel

/// Reads a YAML mapping field by field, then refuses any field nobody asked for.
package struct MappingReader {
    package let value: YAMLValue
    package let what: String
    private let pairs: [(key: String, value: YAMLValue)]
    private var consumed: Set<String> = []

    package init(_ value: YAMLValue, what: String, _ ctx: DecodeContext) throws(ConfigError) {
        self.value = value
        self.what = what
        switch value.kind {
        case .mapping(let p): pairs = p
        case .null: pairs = []
        default: throw ctx.error(value, "\(what): expected a mapping")
        }
    }

    /// The value of `key` (nil when absent or null), marking it as understood.
    package mutating func take(_ key: String) -> YAMLValue? {
        consumed.insert(key)
        guard let v = pairs.first(where: { $0.key == key })?.value else { return nil }
        if case .null = v.kind { return nil }
        return v
    }

    package func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    /// Warns about fields Prometheus defines that Vigil ignores, and fails on any other unknown field.
    package mutating func finish(_ ctx: inout DecodeContext, ignoredKnownFields: Set<String> = []) throws(ConfigError) {
        for p in pairs where !consumed.contains(p.key) {
            if ignoredKnownFields.contains(p.key) {
                ctx.warn(p.value, "\(what): field \(p.key) is not supported by Vigil yet and is ignored")
            } else {
                throw ctx.error(p.value, "field \(p.key) not found in type \(what)")
            }
        }
    }

    // MARK: Typed accessors

    package mutating func string(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> String? {
        guard let v = take(key) else { return nil }
        return try v.asString(key, ctx)
    }

    package mutating func bool(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> Bool? {
        guard let v = take(key) else { return nil }
        guard case .scalar(let s, false) = v.kind else { throw ctx.error(v, "field \(key): expected a boolean") }
        switch s {
        case "true", "True", "TRUE", "yes", "Yes", "on", "On": return true
        case "false", "False", "FALSE", "no", "No", "off", "Off": return false
        default: throw ctx.error(v, "field \(key): cannot unmarshal \"\(s)\" into a boolean")
        }
    }

    package mutating func int(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> Int? {
        guard let v = take(key) else { return nil }
        guard case .scalar(let s, false) = v.kind, let n = Int(s), n >= 0 else {
            throw ctx.error(v, "field \(key): expected a non-negative integer")
        }
        return n
    }

    /// A finite, non-negative number.
    package mutating func number(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> Double? {
        guard let v = take(key) else { return nil }
        guard case .scalar(let s, false) = v.kind, let n = Double(s), n.isFinite, n >= 0 else {
            throw ctx.error(v, "field \(key): expected a non-negative number")
        }
        return n
    }

    /// An integer that may be negative (a Telegram group's `chat_id`), within 64 bits.
    package mutating func signedInt(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> Int64? {
        guard let v = take(key) else { return nil }
        guard case .scalar(let s, false) = v.kind, let n = Int64(s) else {
            throw ctx.error(v, "field \(key): expected an integer")
        }
        return n
    }

    package mutating func duration(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> PromDuration? {
        guard let v = take(key) else { return nil }
        let s = try v.asString(key, ctx)
        do { return try PromDuration(parsing: s) } catch {
            throw ctx.error(v, "field \(key): not a valid duration string: \"\(s)\"")
        }
    }

    package mutating func byteSize(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> Int? {
        guard let v = take(key) else { return nil }
        let s = try v.asString(key, ctx)
        guard let n = ByteSize.parse(s) else { throw ctx.error(v, "field \(key): invalid size \"\(s)\"") }
        return n
    }

    package mutating func stringList(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> [String]? {
        guard let v = take(key) else { return nil }
        guard case .sequence(let items) = v.kind else { throw ctx.error(v, "field \(key): expected a list of strings") }
        var out: [String] = []
        for item in items { out.append(try item.asString(key, ctx)) }
        return out
    }

    package mutating func stringMap(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> [(String, String)]? {
        guard let v = take(key) else { return nil }
        guard case .mapping(let pairs) = v.kind else { throw ctx.error(v, "field \(key): expected a mapping of strings") }
        var out: [(String, String)] = []
        for p in pairs {
            if case .null = p.value.kind { out.append((p.key, "")); continue }
            out.append((p.key, try p.value.asString(key, ctx)))
        }
        return out
    }

    package mutating func sequence(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> [YAMLValue]? {
        guard let v = take(key) else { return nil }
        guard case .sequence(let items) = v.kind else { throw ctx.error(v, "field \(key): expected a list") }
        return items
    }
}

extension YAMLValue {
    package func asString(_ key: String, _ ctx: DecodeContext) throws(ConfigError) -> String {
        guard case .scalar(let s, _) = kind else { throw ctx.error(self, "field \(key): expected a string") }
        return s
    }
}
