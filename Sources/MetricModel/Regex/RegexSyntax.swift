/// The parsed form of an RE2-syntax regular expression.
indirect enum RegexNode: Sendable {
    case empty
    case literal(Unicode.Scalar)
    case charClass(RegexCharClass)
    case anyChar(matchesNewline: Bool)
    case assertion(RegexAssertion)
    case capture(index: Int, RegexNode)
    case concat([RegexNode])
    case alternate([RegexNode])
    case `repeat`(RegexNode, min: Int, max: Int?, greedy: Bool)
}

/// Zero-width assertions.
enum RegexAssertion: Sendable {
    case beginText, endText, beginLine, endLine, wordBoundary, notWordBoundary
}

/// A set of Unicode scalars as sorted, non-overlapping closed ranges.
struct RegexCharClass: Sendable, Equatable {
    var ranges: [ClosedRange<UInt32>]

    init(_ ranges: [ClosedRange<UInt32>]) {
        var sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for r in sorted {
            if let last = merged.last, r.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        sorted = merged
        self.ranges = sorted
    }

    func contains(_ v: UInt32) -> Bool {
        var lo = 0, hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = ranges[mid]
            if v < r.lowerBound { hi = mid - 1 } else if v > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    func inverted() -> RegexCharClass {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in ranges {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound &+ 1
            if r.upperBound == 0x10FFFF { return RegexCharClass(out) }
        }
        out.append(next...0x10FFFF)
        return RegexCharClass(out)
    }

    /// Adds the other case of every ASCII letter and of simple single-scalar case mappings.
    func caseFolded() -> RegexCharClass {
        var extra: [ClosedRange<UInt32>] = ranges
        for r in ranges where r.count < 2000 {
            for v in r {
                guard let s = Unicode.Scalar(v) else { continue }
                for m in [s.properties.lowercaseMapping, s.properties.uppercaseMapping] {
                    let scalars = Array(m.unicodeScalars)
                    if scalars.count == 1, scalars[0].value != v { extra.append(scalars[0].value...scalars[0].value) }
                }
            }
        }
        return RegexCharClass(extra)
    }

    static let digits = RegexCharClass([0x30...0x39])
    static let word = RegexCharClass([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    static let space = RegexCharClass([0x09...0x0A, 0x0C...0x0D, 0x20...0x20])
}

/// A regex that failed to parse, with the byte offset of the problem.
public struct RegexSyntaxError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public var pattern: String
    public var offset: Int
    public var description: String { "error parsing regexp: \(message): `\(pattern)`" }
}

/// Recursive-descent parser for RE2 syntax (the dialect Prometheus and Go use).
struct RegexParser {
    private let scalars: [Unicode.Scalar]
    private let pattern: String
    private var pos = 0
    private(set) var captureCount = 0
    private var caseInsensitive = false
    private var dotAll: Bool
    private var multiLine = false
    private var ungreedy = false
    private var depth = 0

    /// Repetition counts above this are refused, as in RE2.
    static let maxRepeat = 1000
    static let maxDepth = 500

    init(_ pattern: String, dotAll: Bool) {
        self.pattern = pattern
        self.scalars = Array(pattern.unicodeScalars)
        self.dotAll = dotAll
    }

    mutating func parse() throws(RegexSyntaxError) -> RegexNode {
        let node = try parseAlternation()
        if pos < scalars.count {
            throw error(scalars[pos] == ")" ? "unexpected )" : "unexpected character")
        }
        return node
    }

    private func error(_ message: String) -> RegexSyntaxError {
        RegexSyntaxError(message: message, pattern: pattern, offset: pos)
    }

    private var atEnd: Bool { pos >= scalars.count }
    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        pos + offset < scalars.count ? scalars[pos + offset] : nil
    }

    private mutating func parseAlternation() throws(RegexSyntaxError) -> RegexNode {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth { throw error("expression nests too deeply") }
        var branches = [try parseConcat()]
        while peek() == "|" {
            pos += 1
            branches.append(try parseConcat())
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private mutating func parseConcat() throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek(), c != "|", c != ")" {
            // Flag groups like (?i) change the flags for the rest of the current group.
            if c == "(", peek(1) == "?", try consumeStandaloneFlagGroup() { continue }
            var atom = try parseAtom()
            atom = try parseQuantifiers(atom)
            items.append(atom)
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    /// Applies a standalone `(?flags)` to the rest of the group; false when `(?` starts a group parseAtom handles.
    private mutating func consumeStandaloneFlagGroup() throws(RegexSyntaxError) -> Bool {
        var i = pos + 2
        while i < scalars.count, "imsU-".unicodeScalars.contains(scalars[i]) { i += 1 }
        guard i < scalars.count, scalars[i] == ")", i > pos + 2 else { return false }
        try applyFlags(scalars[(pos + 2)..<i])
        pos = i + 1
        return true
    }

    private mutating func applyFlags(_ flags: ArraySlice<Unicode.Scalar>) throws(RegexSyntaxError) {
        var negate = false
        var sawFlag = false
        for f in flags {
            switch f {
            case "-":
                if negate { throw error("invalid or unsupported Perl syntax") }
                negate = true
                sawFlag = false
            case "i": caseInsensitive = !negate; sawFlag = true
            case "m": multiLine = !negate; sawFlag = true
            case "s": dotAll = !negate; sawFlag = true
            case "U": ungreedy = !negate; sawFlag = true
            default: throw error("invalid or unsupported Perl syntax")
            }
        }
        if negate && !sawFlag { throw error("invalid or unsupported Perl syntax") }
    }

    private mutating func parseQuantifiers(_ atom: RegexNode) throws(RegexSyntaxError) -> RegexNode {
        var node = atom
        var quantified = false
        while let c = peek() {
            var minCount = 0
            var maxCount: Int?
            let start = pos
            switch c {
            case "*": pos += 1; minCount = 0; maxCount = nil
            case "+": pos += 1; minCount = 1; maxCount = nil
            case "?": pos += 1; minCount = 0; maxCount = 1
            case "{":
                guard let (lo, hi) = try parseCounted() else { return node }
                minCount = lo; maxCount = hi
            default: return node
            }
            if quantified { pos = start; throw error("invalid nested repetition operator") }
            if case .empty = node { throw error("missing argument to repetition operator") }
            if case .assertion = node { /* Go allows repeating assertions; keep it. */ }
            var greedy = !ungreedy
            if peek() == "?" { pos += 1; greedy.toggle() }
            node = .repeat(node, min: minCount, max: maxCount, greedy: greedy)
            quantified = true
        }
        return node
    }

    /// Parses `{n}`, `{n,}` or `{n,m}`; a `{` not followed by that shape is a literal.
    private mutating func parseCounted() throws(RegexSyntaxError) -> (Int, Int?)? {
        var i = pos + 1
        func number(_ i: inout Int) -> Int? {
            let start = i
            var n = 0
            while i < scalars.count, let d = scalars[i].properties.numericType == .decimal ? Int(String(scalars[i])) : nil {
                n = min(n * 10 + d, 100_000)
                i += 1
            }
            return i > start ? n : nil
        }
        guard let lo = number(&i) else { return nil }
        var hi: Int? = lo
        if i < scalars.count, scalars[i] == "," {
            i += 1
            hi = number(&i)
        }
        guard i < scalars.count, scalars[i] == "}" else { return nil }
        pos = i + 1
        if lo > Self.maxRepeat || (hi ?? 0) > Self.maxRepeat || (hi.map { $0 < lo } ?? false) {
            throw error("invalid repeat count")
        }
        return (lo, hi)
    }

    private mutating func parseAtom() throws(RegexSyntaxError) -> RegexNode {
        guard let c = peek() else { throw error("unexpected end") }
        switch c {
        case "(":
            return try parseGroup()
        case "[":
            return .charClass(try parseClass())
        case ".":
            pos += 1
            return .anyChar(matchesNewline: dotAll)
        case "^":
            pos += 1
            return .assertion(multiLine ? .beginLine : .beginText)
        case "$":
            pos += 1
            return .assertion(multiLine ? .endLine : .endText)
        case "\\":
            return try parseEscapeAtom()
        case "*", "+", "?":
            throw error("missing argument to repetition operator")
        default:
            pos += 1
            return literal(c)
        }
    }

    private func literal(_ c: Unicode.Scalar) -> RegexNode {
        if caseInsensitive {
            let cls = RegexCharClass([c.value...c.value]).caseFolded()
            if cls.ranges.count > 1 || cls.ranges[0].count > 1 { return .charClass(cls) }
        }
        return .literal(c)
    }

    private mutating func parseGroup() throws(RegexSyntaxError) -> RegexNode {
        pos += 1 // (
        let saved = (caseInsensitive, dotAll, multiLine, ungreedy)
        defer { (caseInsensitive, dotAll, multiLine, ungreedy) = saved }
        var captureIndex: Int?
        if peek() == "?" {
            pos += 1
            if peek() == "P" || peek() == "<" {
                if peek() == "P" { pos += 1 }
                guard peek() == "<" else { throw error("invalid named capture") }
                pos += 1
                let nameStart = pos
                while let c = peek(), c != ">" {
                    guard c == "_" || c.properties.isAlphabetic || c.properties.numericType == .decimal else {
                        throw error("invalid named capture")
                    }
                    pos += 1
                }
                guard peek() == ">", pos > nameStart else { throw error("invalid named capture") }
                pos += 1
                captureCount += 1
                captureIndex = captureCount
            } else {
                let flagStart = pos
                while let c = peek(), c != ":" {
                    guard "imsU-".unicodeScalars.contains(c) else { throw error("invalid or unsupported Perl syntax") }
                    pos += 1
                }
                guard peek() == ":" else { throw error("missing closing )") }
                try applyFlags(scalars[flagStart..<pos])
                pos += 1
            }
        } else {
            captureCount += 1
            captureIndex = captureCount
        }
        let inner = try parseAlternation()
        guard peek() == ")" else { throw error("missing closing )") }
        pos += 1
        if let idx = captureIndex { return .capture(index: idx, inner) }
        return inner
    }

    private mutating func parseEscapeAtom() throws(RegexSyntaxError) -> RegexNode {
        pos += 1 // backslash
        guard let c = peek() else { throw error("trailing backslash at end of expression") }
        switch c {
        case "A": pos += 1; return .assertion(.beginText)
        case "z": pos += 1; return .assertion(.endText)
        case "b": pos += 1; return .assertion(.wordBoundary)
        case "B": pos += 1; return .assertion(.notWordBoundary)
        case "Q":
            pos += 1
            var items: [RegexNode] = []
            while let s = peek() {
                if s == "\\", peek(1) == "E" { pos += 2; break }
                items.append(literal(s))
                pos += 1
            }
            return items.count == 1 ? items[0] : .concat(items)
        default:
            if let cls = try parseClassEscape() { return .charClass(caseInsensitive ? cls.caseFolded() : cls) }
            return literal(try parseEscapedScalar())
        }
    }

    /// `\d \D \s \S \w \W` (and `\pX` is refused as unsupported); pos at the letter.
    private mutating func parseClassEscape() throws(RegexSyntaxError) -> RegexCharClass? {
        guard let c = peek() else { return nil }
        let cls: RegexCharClass
        switch c {
        case "d": cls = .digits
        case "D": cls = RegexCharClass.digits.inverted()
        case "s": cls = .space
        case "S": cls = RegexCharClass.space.inverted()
        case "w": cls = .word
        case "W": cls = RegexCharClass.word.inverted()
        case "p", "P": throw error("Unicode classes (\\p) are not supported")
        default: return nil
        }
        pos += 1
        return cls
    }

    /// An escaped single scalar; pos at the character after the backslash.
    private mutating func parseEscapedScalar() throws(RegexSyntaxError) -> Unicode.Scalar {
        guard let c = peek() else { throw error("trailing backslash at end of expression") }
        pos += 1
        switch c {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "a": return "\u{07}"
        case "0"..."7":
            var v = c.value - 0x30
            var n = 1
            while n < 3, let d = peek(), ("0"..."7").contains(d) { v = v * 8 + d.value - 0x30; pos += 1; n += 1 }
            guard let s = Unicode.Scalar(v) else { throw error("invalid escape sequence") }
            return s
        case "x":
            var hex = ""
            if peek() == "{" {
                pos += 1
                while let d = peek(), d != "}" { hex.unicodeScalars.append(d); pos += 1 }
                guard peek() == "}" else { throw error("invalid escape sequence") }
                pos += 1
            } else {
                for _ in 0..<2 {
                    guard let d = peek() else { throw error("invalid escape sequence") }
                    hex.unicodeScalars.append(d)
                    pos += 1
                }
            }
            guard hex.count <= 8, let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else {
                throw error("invalid escape sequence")
            }
            return s
        default:
            // Only punctuation may be escaped literally, as in RE2.
            if c.value < 0x80, !(c.properties.isAlphabetic || c.properties.numericType == .decimal) { return c }
            pos -= 1
            throw error("invalid escape sequence")
        }
    }

    private static let posixClasses: [String: [ClosedRange<UInt32>]] = [
        "alnum": [0x30...0x39, 0x41...0x5A, 0x61...0x7A], "alpha": [0x41...0x5A, 0x61...0x7A],
        "ascii": [0x00...0x7F], "blank": [0x09...0x09, 0x20...0x20], "cntrl": [0x00...0x1F, 0x7F...0x7F],
        "digit": [0x30...0x39], "graph": [0x21...0x7E], "lower": [0x61...0x7A], "print": [0x20...0x7E],
        "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E], "space": [0x09...0x0D, 0x20...0x20],
        "upper": [0x41...0x5A], "word": [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A],
        "xdigit": [0x30...0x39, 0x41...0x46, 0x61...0x66],
    ]

    private mutating func parseClass() throws(RegexSyntaxError) -> RegexCharClass {
        let start = pos
        pos += 1 // [
        var negated = false
        if peek() == "^" { negated = true; pos += 1 }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            guard let c = peek() else { pos = start; throw error("missing closing ]") }
            if c == "]" && !first { pos += 1; break }
            first = false
            if c == "[", peek(1) == ":" {
                var i = pos + 2
                var name = ""
                var negatePosix = false
                if i < scalars.count, scalars[i] == "^" { negatePosix = true; i += 1 }
                while i < scalars.count, scalars[i] != ":" { name.unicodeScalars.append(scalars[i]); i += 1 }
                if i + 1 < scalars.count, scalars[i + 1] == "]", let cls = Self.posixClasses[name] {
                    ranges += negatePosix ? RegexCharClass(cls).inverted().ranges : cls
                    pos = i + 2
                    continue
                }
            }
            let lo: UInt32
            if c == "\\" {
                pos += 1
                if let cls = try parseClassEscape() { ranges += cls.ranges; continue }
                lo = try parseEscapedScalar().value
            } else {
                pos += 1
                lo = c.value
            }
            var hi = lo
            if peek() == "-", let next = peek(1), next != "]" {
                pos += 1
                if next == "\\" {
                    pos += 1
                    hi = try parseEscapedScalar().value
                } else {
                    pos += 1
                    hi = next.value
                }
                if hi < lo { throw error("invalid character class range") }
            }
            ranges.append(lo...hi)
        }
        var cls = RegexCharClass(ranges)
        if caseInsensitive { cls = cls.caseFolded() }
        if negated { cls = cls.inverted() }
        return cls
    }
}
