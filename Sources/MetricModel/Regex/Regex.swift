/// A compiled RE2-syntax regular expression with linear-time matching.
///
/// Used unanchored (``firstMatch(in:)``, ``replacingAll(in:with:)``) by templates, and through
/// ``AnchoredRegex`` for label matchers and relabeling.
public struct Regex2: Sendable {
    public let pattern: String
    let program: RegexProgram

    /// Number of capture groups, not counting the whole match.
    public var captureCount: Int { program.captureCount }

    public init(_ pattern: String, dotMatchesNewline: Bool = false) throws(RegexSyntaxError) {
        self.pattern = pattern
        var parser = RegexParser(pattern, dotAll: dotMatchesNewline)
        let node = try parser.parse()
        do {
            program = try RegexProgram(node, captureCount: parser.captureCount)
        } catch {
            throw RegexSyntaxError(message: "expression too large", pattern: pattern, offset: 0)
        }
    }

    /// Whether the whole of `text` matches.
    public func matchesWhole(_ text: String) -> Bool {
        program.run(text.unicodeScalars.map(\.value), anchored: true, fullMatch: true, trackCaptures: false) != nil
    }

    /// Capture groups of a whole-string match (index 0 is the whole match); nil when it does not match.
    public func wholeMatchGroups(_ text: String) -> [Substring?]? {
        let scalars = Array(text.unicodeScalars)
        guard let caps = program.run(scalars.map(\.value), anchored: true, fullMatch: true, trackCaptures: true) else {
            return nil
        }
        return Self.groups(caps, in: text, scalars: scalars)
    }

    /// The leftmost match anywhere in `text`, as capture groups.
    public func firstMatch(in text: String) -> [Substring?]? {
        let scalars = Array(text.unicodeScalars)
        guard let caps = program.run(scalars.map(\.value), anchored: false, fullMatch: false, trackCaptures: true) else {
            return nil
        }
        return Self.groups(caps, in: text, scalars: scalars)
    }

    private static func groups(_ caps: [Int], in text: String, scalars: [Unicode.Scalar]) -> [Substring?] {
        var out: [Substring?] = []
        var i = 0
        let view = text.unicodeScalars
        while i + 1 < caps.count {
            let s = caps[i], e = caps[i + 1]
            if s >= 0, e >= s, e <= scalars.count {
                let lo = view.index(view.startIndex, offsetBy: s)
                let hi = view.index(lo, offsetBy: e - s)
                out.append(Substring(view[lo..<hi]))
            } else {
                out.append(nil)
            }
            i += 2
        }
        return out
    }

    /// Replaces every non-overlapping match with `template` after `$1`/`${name}` expansion (Go's ReplaceAllString).
    public func replacingAll(in text: String, with template: String) -> String {
        let scalars = Array(text.unicodeScalars)
        let values = scalars.map(\.value)
        var out = ""
        var start = 0
        var lastMatchEnd = -1
        while start <= scalars.count {
            let rest = Array(values[start...])
            guard let caps = program.run(rest, anchored: false, fullMatch: false, trackCaptures: true),
                  caps.count >= 2, caps[0] >= 0 else { break }
            let ms = caps[0] + start, me = caps[1] + start
            // An empty match right after the previous match is skipped, as in Go.
            if me == ms && ms == lastMatchEnd {
                if ms < scalars.count { out.unicodeScalars.append(scalars[ms]) }
                start = ms + 1
                continue
            }
            out.unicodeScalars.append(contentsOf: scalars[start..<ms])
            let groups = caps.map { $0 >= 0 ? $0 + start : -1 }
            out += Self.expand(template, groups: Self.groups(groups, in: text, scalars: scalars))
            lastMatchEnd = me
            if me == ms {
                if ms < scalars.count { out.unicodeScalars.append(scalars[ms]) }
                start = ms + 1
            } else {
                start = me
            }
        }
        if start < scalars.count { out.unicodeScalars.append(contentsOf: scalars[start...]) }
        return out
    }

    /// Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` and `$$`. Unknown or missing groups are empty.
    /// Named groups are referred to by index here only when numeric; names resolve to empty.
    public static func expand(_ template: String, groups: [Substring?]) -> String {
        var out = ""
        var it = Array(template.unicodeScalars)[...]
        while let c = it.popFirst() {
            guard c == "$" else { out.unicodeScalars.append(c); continue }
            guard let n = it.first else { out.unicodeScalars.append(c); break }
            if n == "$" { it.removeFirst(); out += "$"; continue }
            var name = ""
            if n == "{" {
                var probe = it.dropFirst()
                while let d = probe.first, d != "}" { name.unicodeScalars.append(d); probe.removeFirst() }
                guard probe.first == "}", !name.isEmpty else { out += "$"; continue }
                it = probe.dropFirst()
            } else {
                while let d = it.first, d == "_" || d.properties.isAlphabetic || d.properties.numericType == .decimal {
                    name.unicodeScalars.append(d)
                    it.removeFirst()
                }
                if name.isEmpty { out += "$"; continue }
            }
            if let idx = Int(name), idx >= 0, idx < groups.count, let g = groups[idx] {
                out += g
            }
        }
        return out
    }
}
