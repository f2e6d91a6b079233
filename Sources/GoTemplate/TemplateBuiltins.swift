import Foundation
import MetricModel

/// The functions every Go template has: logic, comparison, `len`, `index`, `print`/`printf`, escaping.
enum TemplateBuiltins {
    static let functions: [String: TemplateFunction] = [
        "and": { args throws(TemplateError) in
            guard !args.isEmpty else { throw TemplateError("wrong number of args for and: want at least 1 got 0") }
            return args.first { !$0.isTrue } ?? args[args.count - 1]
        },
        "or": { args throws(TemplateError) in
            guard !args.isEmpty else { throw TemplateError("wrong number of args for or: want at least 1 got 0") }
            return args.first { $0.isTrue } ?? args[args.count - 1]
        },
        "not": { args throws(TemplateError) in
            guard args.count == 1 else { throw TemplateError("wrong number of args for not: want 1 got \(args.count)") }
            return .bool(!args[0].isTrue)
        },
        "len": { args throws(TemplateError) in
            guard args.count == 1 else { throw TemplateError("wrong number of args for len: want 1 got \(args.count)") }
            switch args[0] {
            case .string(let s): return .int(s.utf8.count)
            case .list(let l): return .int(l.count)
            case .map(let m): return .int(m.count)
            case .stringMap(let m): return .int(m.count)
            default: throw TemplateError("len of type \(args[0].typeName)")
            }
        },
        "index": { args throws(TemplateError) in
            guard var v = args.first else { throw TemplateError("wrong number of args for index: want at least 1 got 0") }
            for key in args.dropFirst() {
                switch (v, key) {
                case (.list(let l), .int(let i)):
                    guard i >= 0, i < l.count else { throw TemplateError("index out of range: \(i)") }
                    v = l[i]
                case (.map(let m), .string(let k)): v = m[k] ?? .null
                case (.stringMap(let m), .string(let k)): v = .string(m[k] ?? "")
                case (.null, _): return .null
                default: throw TemplateError("can't index item of type \(v.typeName)")
                }
            }
            return v
        },
        "print": { args in .string(goPrint(args)) },
        "println": { args in .string(args.map(\.printed).joined(separator: " ") + "\n") },
        "printf": { args throws(TemplateError) in
            guard case .string(let format)? = args.first else { throw TemplateError("printf: the format must be a string") }
            return .string(GoPrintf.format(format, Array(args.dropFirst())))
        },
        "eq": { args throws(TemplateError) in
            guard args.count >= 2 else { throw TemplateError("missing argument for comparison") }
            for other in args.dropFirst() where try compare(args[0], other) == .orderedSame { return .bool(true) }
            return .bool(false)
        },
        "ne": { args throws(TemplateError) in .bool(try compare2(args) != .orderedSame) },
        "lt": { args throws(TemplateError) in .bool(try compare2(args) == .orderedAscending) },
        "le": { args throws(TemplateError) in .bool(try compare2(args) != .orderedDescending) },
        "gt": { args throws(TemplateError) in .bool(try compare2(args) == .orderedDescending) },
        "ge": { args throws(TemplateError) in .bool(try compare2(args) != .orderedAscending) },
        "html": { args in .string(escapeHTML(goPrint(args))) },
        "urlquery": { args in .string(goPrint(args).addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? "") },
        "js": { args in .string(StringEscaping.escape(goPrint(args), named: jsEscapes) { _ in nil }) },
        "slice": { args throws(TemplateError) in
            guard let v = args.first else { throw TemplateError("wrong number of args for slice") }
            var bounds: [Int] = []
            for a in args.dropFirst() {
                guard case .int(let i) = a else { throw TemplateError("slice index must be an integer") }
                bounds.append(i)
            }
            switch v {
            case .string(let s):
                let b = Array(s.utf8)
                let lo = bounds.first ?? 0, hi = bounds.count > 1 ? bounds[1] : b.count
                guard lo >= 0, lo <= hi, hi <= b.count else { throw TemplateError("slice index out of range") }
                return .string(String(decoding: b[lo..<hi], as: UTF8.self))
            case .list(let l):
                let lo = bounds.first ?? 0, hi = bounds.count > 1 ? bounds[1] : l.count
                guard lo >= 0, lo <= hi, hi <= l.count else { throw TemplateError("slice index out of range") }
                return .list(Array(l[lo..<hi]))
            default: throw TemplateError("can't slice item of type \(v.typeName)")
            }
        },
    ]

    /// Go's `fmt.Sprint`: spaces only between operands that are not both strings.
    static func goPrint(_ args: [TemplateValue]) -> String {
        var out = ""
        for (i, a) in args.enumerated() {
            if i > 0, !(isString(args[i - 1]) || isString(a)) { out += " " }
            out += a.printed
        }
        return out
    }

    private static func isString(_ v: TemplateValue) -> Bool {
        if case .string = v { return true }
        return false
    }

    /// What `js` writes besides `\\` and `\"` (which every backslash style escapes).
    static let jsEscapes: [Unicode.Scalar: String] = [
        "'": "\\'", "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D", "\n": "\\n",
    ]

    static func escapeHTML(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "'": out += "&#39;"
            case "\"": out += "&#34;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private static func compare2(_ args: [TemplateValue]) throws(TemplateError) -> ComparisonResult {
        guard args.count == 2 else { throw TemplateError("wrong number of args: want 2 got \(args.count)") }
        return try compare(args[0], args[1])
    }

    /// Numbers compare by value (integers and floats alike), strings and booleans by value.
    static func compare(_ a: TemplateValue, _ b: TemplateValue) throws(TemplateError) -> ComparisonResult {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y ? .orderedSame : (x < y ? .orderedAscending : .orderedDescending)
        case (.bool(let x), .bool(let y)):
            if x == y { return .orderedSame }
            throw TemplateError("invalid type for comparison")
        case (.null, .null): return .orderedSame
        default:
            if let x = numeric(a), let y = numeric(b) { return x == y ? .orderedSame : (x < y ? .orderedAscending : .orderedDescending) }
            throw TemplateError("incompatible types for comparison")
        }
    }

    private static func numeric(_ v: TemplateValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .float(let f): return f
        default: return nil
        }
    }
}

/// Go's `fmt.Sprintf` for the verbs templates use: `%s %v %d %f %e %g %q %x %X %t %%`, with
/// flags (`-+ 0#`), width and precision.
enum GoPrintf {
    static func format(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        var s = Substring(format).unicodeScalars
        var argIndex = 0
        while let c = s.popFirst() {
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            var flags = ""
            while let f = s.first, "-+ 0#".unicodeScalars.contains(f) { flags.unicodeScalars.append(f); s.removeFirst() }
            var width = ""
            while let d = s.first, ("0"..."9").contains(d) { width.unicodeScalars.append(d); s.removeFirst() }
            // Widths and precisions come from rule files: bounded, so a typo cannot ask for gigabytes.
            if width.count > 4 { width = "9999" }
            var precision: Int?
            if s.first == "." {
                s.removeFirst()
                var p = ""
                while let d = s.first, ("0"..."9").contains(d) { p.unicodeScalars.append(d); s.removeFirst() }
                precision = min(Int(p.prefix(4)) ?? 0, 100)
            }
            guard let verb = s.popFirst() else { out += "%!(NOVERB)"; break }
            if verb == "%" { out += "%"; continue }
            guard argIndex < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let arg = args[argIndex]
            argIndex += 1
            var text: String
            switch verb {
            case "s", "v": text = arg.printed
            case "q": text = GoQuotedString.quote(arg.printed)
            case "t": text = arg.printed
            case "d":
                if case .int(let i) = arg { text = (flags.contains("+") && i >= 0 ? "+" : "") + String(i) } else { text = "%!d(\(arg.typeName)=\(arg.printed))" }
            case "f", "F", "e", "g":
                guard let v = arg.number, !isStringArgument(arg) else { text = "%!\(verb)(\(arg.typeName)=\(arg.printed))"; break }
                switch verb {
                case "e": text = String(format: "%.\(precision ?? 6)e", v)
                case "g": text = precision.map { goG(v, $0) } ?? GoFormat.general(v)
                default: text = GoFormat.fixed(v, precision: precision ?? 6)
                }
                if flags.contains("+") && v >= 0 { text = "+" + text }
            case "x", "X":
                switch arg {
                case .int(let i): text = String(i, radix: 16, uppercase: verb == "X")
                default: text = arg.printed.utf8.map { String(format: verb == "X" ? "%02X" : "%02x", $0) }.joined()
                }
            default: text = "%!\(verb)(\(arg.typeName)=\(arg.printed))"
            }
            if case .string = arg, verb == "s", let p = precision { text = String(text.prefix(p)) }
            if let w = Int(width), text.count < w {
                let pad = String(repeating: flags.contains("0") && !flags.contains("-") ? "0" : " ", count: w - text.count)
                text = flags.contains("-") ? text + pad : pad + text
            }
            out += text
        }
        if argIndex < args.count { out += "%!(EXTRA " + args[argIndex...].map { "\($0.typeName)=\($0.printed)" }.joined(separator: ", ") + ")" }
        return out
    }

    private static func isStringArgument(_ v: TemplateValue) -> Bool {
        if case .string = v { return true }
        return false
    }

    /// `%.<p>g`: `p` significant digits, trailing zeros dropped, the exponent form when the
    /// exponent is below -4 or at least `p` (as Prometheus' humanize functions print).
    static func goG(_ v: Double, _ p: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        if v == 0 { return "0" }
        let digits = max(1, p)
        let e = String(format: "%.\(digits - 1)e", v)
        // The exponent after rounding to `digits` significant digits decides the form.
        let exponent = Int(e.split(separator: "e").last ?? "0") ?? 0
        if exponent < -4 || exponent >= digits {
            var mantissa = String(e.split(separator: "e").first ?? "")
            if mantissa.contains(".") {
                while mantissa.hasSuffix("0") { mantissa.removeLast() }
                if mantissa.hasSuffix(".") { mantissa.removeLast() }
            }
            let a = abs(exponent)
            return mantissa + (exponent < 0 ? "e-" : "e+") + (a < 10 ? "0" : "") + String(a)
        }
        var f = String(format: "%.\(max(0, digits - 1 - exponent))f", v)
        if f.contains(".") {
            while f.hasSuffix("0") { f.removeLast() }
            if f.hasSuffix(".") { f.removeLast() }
        }
        return f
    }
}
