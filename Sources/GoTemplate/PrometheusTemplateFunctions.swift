import Foundation

/// The functions Prometheus adds to rule and console templates: the `humanize` family, string
/// helpers, regular expressions, and query results (`query`, `first`, `value`, `label`, …).
public enum PrometheusTemplateFunctions {
    /// One sample of a `query` result, as templates see it: `.Labels` and `.Value`.
    public static func sample(labels: [String: String], value: Double) -> TemplateValue {
        .map(["Labels": .stringMap(labels), "Value": .float(value)])
    }

    /// The functions; `query` runs PromQL through the caller's engine and returns samples.
    public static func functions(externalURL: String = "",
                                 query: (@Sendable (String) throws -> [TemplateValue])? = nil) -> [String: TemplateFunction] {
        var f: [String: TemplateFunction] = [
            "humanize": { args throws(TemplateError) in .string(humanize(try number(args, "humanize"))) },
            "humanize1024": { args throws(TemplateError) in .string(humanize1024(try number(args, "humanize1024"))) },
            "humanizeDuration": { args throws(TemplateError) in .string(humanizeDuration(try number(args, "humanizeDuration"))) },
            "humanizePercentage": { args throws(TemplateError) in .string(GoPrintf.goG(try number(args, "humanizePercentage") * 100, 4) + "%") },
            "humanizeTimestamp": { args throws(TemplateError) in .string(humanizeTimestamp(try number(args, "humanizeTimestamp"))) },
            "toUpper": { args throws(TemplateError) in .string(try string(args).uppercased()) },
            "toLower": { args throws(TemplateError) in .string(try string(args).lowercased()) },
            "title": { args throws(TemplateError) in .string(title(try string(args))) },
            "safeHtml": { args throws(TemplateError) in .string(try string(args)) },
            "stripPort": { args throws(TemplateError) in .string(stripPort(try string(args))) },
            "stripDomain": { args throws(TemplateError) in .string(stripDomain(try string(args))) },
            "match": { args throws(TemplateError) in
                guard args.count == 2, case .string(let pattern) = args[0], case .string(let text) = args[1] else {
                    throw TemplateError("match wants a pattern and a string")
                }
                let re = try regex(pattern)
                return .bool(re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil)
            },
            "reReplaceAll": { args throws(TemplateError) in
                guard args.count == 3, case .string(let pattern) = args[0], case .string(let replacement) = args[1], case .string(let text) = args[2] else {
                    throw TemplateError("reReplaceAll wants a pattern, a replacement and a string")
                }
                let re = try regex(pattern)
                return .string(re.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: goTemplate(replacement)))
            },
            "args": { args in
                var m: [String: TemplateValue] = [:]
                for (i, a) in args.enumerated() { m["arg\(i)"] = a }
                return .map(m)
            },
            "externalURL": { _ in .string(externalURL) },
            "pathPrefix": { _ in .string(URL(string: externalURL)?.path ?? "") },
            "first": { args throws(TemplateError) in
                guard case .list(let l)? = args.last else { throw TemplateError("first wants query results") }
                guard let head = l.first else { throw TemplateError("first() called on vector with no elements") }
                return head
            },
            "value": { args in
                if case .map(let m)? = args.last { return m["Value"] ?? .null }
                return .null
            },
            "label": { args throws(TemplateError) in
                guard args.count == 2, case .string(let name) = args[0] else { throw TemplateError("label wants a name and a sample") }
                if case .map(let m) = args[1], case .stringMap(let labels)? = m["Labels"] { return .string(labels[name] ?? "") }
                return .string("")
            },
            "strvalue": { args in
                if case .map(let m)? = args.last, case .stringMap(let labels)? = m["Labels"] { return .string(labels["__value__"] ?? "") }
                return .string("")
            },
            "sortByLabel": { args throws(TemplateError) in
                guard args.count == 2, case .string(let name) = args[0], case .list(let l) = args[1] else {
                    throw TemplateError("sortByLabel wants a label name and query results")
                }
                func labelOf(_ v: TemplateValue) -> String {
                    if case .map(let m) = v, case .stringMap(let labels)? = m["Labels"] { return labels[name] ?? "" }
                    return ""
                }
                return .list(l.enumerated().sorted { (labelOf($0.element), $0.offset) < (labelOf($1.element), $1.offset) }.map(\.element))
            },
            "parseDuration": { args throws(TemplateError) in
                let text = try string(args)
                guard let seconds = parseGoDuration(text) else { throw TemplateError("not a valid duration string: \"\(text)\"") }
                return .float(seconds)
            },
        ]
        if let query { f["query"] = queryFunction(query) }
        return f
    }

    /// `query "expr"`: the caller's engine evaluates it; its error becomes the template's.
    private static func queryFunction(_ query: @escaping @Sendable (String) throws -> [TemplateValue]) -> TemplateFunction {
        let run: @Sendable (String) -> Result<[TemplateValue], TemplateError> = { q in
            do { return .success(try query(q)) } catch { return .failure(TemplateError("\(error)")) }
        }
        return { args throws(TemplateError) in
            guard case .string(let q)? = args.first else { throw TemplateError("query wants a PromQL expression") }
            return .list(try run(q).get())
        }
    }

    private static func number(_ args: [TemplateValue], _ name: String) throws(TemplateError) -> Double {
        guard let v = args.last?.number else { throw TemplateError("\(name) wants a number, got \(args.last?.printed ?? "nothing")") }
        return v
    }

    private static func string(_ args: [TemplateValue]) throws(TemplateError) -> String {
        guard let last = args.last else { throw TemplateError("missing argument") }
        return last.printed
    }

    private static func regex(_ pattern: String) throws(TemplateError) -> NSRegularExpression {
        do { return try NSRegularExpression(pattern: pattern) } catch { throw TemplateError("error parsing regexp: \(pattern)") }
    }

    /// Go writes groups as `$1` or `${1}`; Foundation takes `$1`, and a literal `\` must be doubled.
    /// Only the braces of `${…}` are removed: other braces are text.
    private static func goTemplate(_ s: String) -> String {
        var out = ""
        var rest = Substring(s)
        while let c = rest.first {
            if c == "$", rest.dropFirst().first == "{", let close = rest.firstIndex(of: "}") {
                out += "$" + rest[rest.index(rest.startIndex, offsetBy: 2)..<close]
                rest = rest[rest.index(after: close)...]
                continue
            }
            out += c == "\\" ? "\\\\" : String(c)
            rest = rest.dropFirst()
        }
        return out
    }

    static let largeSI = ["k", "M", "G", "T", "P", "E", "Z", "Y"]
    static let smallSI = ["m", "u", "n", "p", "f", "a", "z", "y"]
    static let binary = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]

    /// `v` scaled by `factor` per prefix while it stays outside [1, base) — divided while it is
    /// at least `base`, or multiplied while below 1 — with the last prefix used.
    static func scaled(_ v: Double, prefixes: [String], base: Double, up: Bool) -> (Double, String) {
        var x = v
        var prefix = ""
        for p in prefixes {
            if up ? abs(x) >= 1 : abs(x) < base { break }
            prefix = p
            x = up ? x * 1000 : x / base
        }
        return (x, prefix)
    }

    /// SI prefixes with four significant digits: `1.235M`, `500m`, `12`.
    static func humanize(_ v: Double) -> String {
        if v == 0 || v.isNaN || v.isInfinite { return GoPrintf.goG(v, 4) }
        let (x, prefix) = abs(v) >= 1 ? scaled(v, prefixes: largeSI, base: 1000, up: false) : scaled(v, prefixes: smallSI, base: 1000, up: true)
        return GoPrintf.goG(x, 4) + prefix
    }

    /// Binary prefixes: `1Ki`, `1.5Mi`.
    static func humanize1024(_ v: Double) -> String {
        if abs(v) <= 1 || v.isNaN || v.isInfinite { return GoPrintf.goG(v, 4) }
        let (x, prefix) = scaled(v, prefixes: binary, base: 1024, up: false)
        return GoPrintf.goG(x, 4) + prefix
    }

    /// Seconds as `1d 2h 3m 4s`, or with a small-unit prefix below a second (`1.5ms`).
    static func humanizeDuration(_ v: Double) -> String {
        if v.isNaN || v.isInfinite { return GoPrintf.goG(v, 4) }
        if v == 0 { return "0s" }
        if abs(v) >= 1 {
            let sign = v < 0 ? "-" : ""
            let total = abs(v) < 9.2e18 ? Int64(abs(v)) : Int64.max
            let seconds = total % 60, minutes = (total / 60) % 60, hours = (total / 3600) % 24, days = total / 86_400
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + GoPrintf.goG(abs(v), 4) + "s"
        }
        let (x, prefix) = scaled(v, prefixes: smallSI, base: 1000, up: true)
        return GoPrintf.goG(x, 4) + prefix + "s"
    }

    /// Unix seconds as Go prints a UTC time: `2015-12-24 10:38:39 +0000 UTC`, fractions kept.
    static func humanizeTimestamp(_ v: Double) -> String {
        if v.isNaN || v.isInfinite || abs(v) > 1e13 { return GoPrintf.goG(v, 4) }
        let whole = v.rounded(.down)
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC") ?? c.timeZone
        let d = c.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        var text = String(format: "%04d-%02d-%02d %02d:%02d:%02d", d.year ?? 0, d.month ?? 0, d.day ?? 0, d.hour ?? 0, d.minute ?? 0, d.second ?? 0)
        let nanos = Int64(((v - whole) * 1e9).rounded())
        if nanos > 0 {
            var frac = String(format: "%09lld", nanos)
            while frac.hasSuffix("0") { frac.removeLast() }
            text += "." + frac
        }
        return text + " +0000 UTC"
    }

    /// Go's `strings.Title`: the first letter of every word upper-cased.
    static func title(_ s: String) -> String {
        var out = ""
        var atStart = true
        for c in s {
            out += atStart ? c.uppercased() : String(c)
            atStart = !(c.isLetter || c.isNumber || c == "_" || c == "'")
        }
        return out
    }

    static func stripPort(_ s: String) -> String {
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") { return String(s[s.index(after: s.startIndex)..<close]) }
        if let colon = s.lastIndex(of: ":"), s.firstIndex(of: ":") == colon { return String(s[..<colon]) }
        return s
    }

    static func stripDomain(_ s: String) -> String {
        let host = stripPort(s)
        if host.allSatisfy({ $0.isNumber || $0 == "." }) || host.contains(":") { return s }
        let port = s.count > host.count ? String(s.dropFirst(host.count)) : ""
        return String(host.prefix { $0 != "." }) + port
    }

    /// Go's `time.ParseDuration` (`1h30m`, `1.5s`, `300ms`) in seconds.
    static func parseGoDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        var sign = 1.0
        if rest.hasPrefix("-") { sign = -1; rest = rest.dropFirst() } else if rest.hasPrefix("+") { rest = rest.dropFirst() }
        if rest == "0" { return 0 }
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let n = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }) else { return nil }
            total += n * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        return sign * total
    }
}
