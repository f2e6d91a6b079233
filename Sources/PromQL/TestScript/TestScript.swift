import Foundation
import MetricModel

/// A parsed PromQL test script (the `.test` language of Prometheus' engine tests).
public struct TestScript: Sendable {
    /// One command with the line it starts on.
    public enum Command: Sendable {
        /// `nativeHistogramBuckets`: a `load_with_nhcb` block, whose classic buckets become native histograms.
        case load(intervalMs: Int64, series: [(Labels, [SeriesValues.Point])], nativeHistogramBuckets: Bool, line: Int)
        case clear(line: Int)
        case eval(EvalCase)
    }

    /// An `eval` command and its expectations.
    public struct EvalCase: Sendable {
        public var line: Int
        public var query: String
        public var instantAt: Int64?
        public var range: (start: Int64, end: Int64, step: Int64)?
        public var expectFail = false
        public var failMessage: String?
        public var failRegex: String?
        public var ordered = false
        public var expectWarn = false
        public var expectInfo = false
        /// `expect warn|info` lines: an optional exact message or regex each.
        public var warnExpectations: [(msg: String?, regex: String?)] = []
        public var infoExpectations: [(msg: String?, regex: String?)] = []
        public var noWarn = false
        public var noInfo = false
        public var expectedString: String?
        public var expectedRangeVector: Bool = false
        /// Expected series (labels, points); a bare scalar has nil labels.
        public var expected: [(labels: Labels?, points: [SeriesValues.Point])] = []
    }

    public var commands: [Command] = []

    /// What follows the first `n` whitespace-separated words of `line`.
    static func remainder(of line: String, afterWords n: Int) -> String {
        var idx = line.startIndex
        for _ in 0..<n {
            while idx < line.endIndex, line[idx].isWhitespace { idx = line.index(after: idx) }
            while idx < line.endIndex, !line[idx].isWhitespace { idx = line.index(after: idx) }
        }
        return String(line[idx...]).trimmingCharacters(in: .whitespaces)
    }

    static func duration(_ s: String) -> Int64? {
        if let d = try? PromDuration(parsing: s) { return d.milliseconds }
        if let v = Double(s) { return Milliseconds.fromSeconds(v) }
        return nil
    }

    /// Series description `metric{a="b"}` or `{__name__="m"}`.
    public static func parseSeries(_ text: String) throws(ScriptError) -> Labels {
        let sel: VectorSelector
        do { sel = try Parser.parseSelector(text) } catch {
            if text.trimmingCharacters(in: .whitespaces) == "{}" { return .empty }
            throw ScriptError("invalid series \"\(text)\": \(error)")
        }
        return Labels(sel.matchers.map { Label($0.name, $0.value) })
    }

    /// Splits `metric{...} values` at the end of the series description.
    static func splitSeriesLine(_ line: String) -> (String, String) {
        var depth = 0
        var inString = false
        var idx = line.startIndex
        while idx < line.endIndex {
            let c = line[idx]
            if c == "\"" { inString.toggle() }
            if !inString {
                if c == "{" { depth += 1 }
                if c == "}" { depth -= 1; if depth == 0 { idx = line.index(after: idx); break } }
                if c.isWhitespace && depth == 0 { break }
            }
            idx = line.index(after: idx)
        }
        return (String(line[..<idx]), String(line[idx...]).trimmingCharacters(in: .whitespaces))
    }

    public static func parse(_ text: String) throws(ScriptError) -> TestScript {
        var script = TestScript()
        let lines = text.components(separatedBy: "\n")
        var i = 0
        func isIndented(_ l: String) -> Bool { l.first == " " || l.first == "\t" }
        func body() -> [(Int, String)] {
            var out: [(Int, String)] = []
            while i < lines.count {
                let l = lines[i]
                let trimmed = l.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { break }
                if !isIndented(l) { break }
                if !trimmed.hasPrefix("#") { out.append((i + 1, trimmed)) }
                i += 1
            }
            return out
        }
        while i < lines.count {
            let raw = lines[i]
            let line = raw.trimmingCharacters(in: .whitespaces)
            let lineNo = i + 1
            i += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            switch words[0] {
            case "clear":
                script.commands.append(.clear(line: lineNo))
            case "load", "load_with_nhcb":
                guard words.count >= 2, let interval = duration(words[1]) else { throw ScriptError("line \(lineNo): invalid load") }
                var series: [(Labels, [SeriesValues.Point])] = []
                let nhcb = words[0] == "load_with_nhcb"
                for (n, l) in body() {
                    let (desc, values) = splitSeriesLine(l)
                    do {
                        let labels = try parseSeries(desc)
                        series.append((labels, try SeriesValues.parse(values)))
                    } catch { throw ScriptError("line \(n): \(error)") }
                }
                script.commands.append(.load(intervalMs: interval, series: series, nativeHistogramBuckets: nhcb, line: lineNo))
            case "eval", "eval_fail", "eval_warn", "eval_info", "eval_ordered":
                var c = EvalCase(line: lineNo, query: "")
                switch words[0] {
                case "eval_fail": c.expectFail = true
                case "eval_warn": c.expectWarn = true
                case "eval_info": c.expectInfo = true
                case "eval_ordered": c.ordered = true
                default: break
                }
                guard words.count >= 4 else { throw ScriptError("line \(lineNo): invalid eval") }
                if words[1] == "instant", words[2] == "at", let at = duration(words[3]) {
                    c.instantAt = at
                } else if words[1] == "range", words.count >= 8, words[2] == "from", words[4] == "to", words[6] == "step",
                          let s = duration(words[3]), let e = duration(words[5]), let st = duration(words[7]) {
                    c.range = (s, e, st)
                } else {
                    throw ScriptError("line \(lineNo): invalid eval command")
                }
                // The query keeps its original spacing: everything after the time words.
                c.query = Self.remainder(of: raw, afterWords: c.range == nil ? 4 : 8)
                for (n, l) in body() {
                    if l.hasPrefix("expect ") || l.hasPrefix("expected_fail") {
                        let rest = l.hasPrefix("expect ") ? String(l.dropFirst(7)) : l
                        if rest.hasPrefix("fail") {
                            c.expectFail = true
                            if let r = rest.range(of: "msg:") { c.failMessage = String(rest[r.upperBound...]).trimmingCharacters(in: .whitespaces) }
                            if let r = rest.range(of: "regex:") { c.failRegex = String(rest[r.upperBound...]).trimmingCharacters(in: .whitespaces) }
                        } else if rest.hasPrefix("expected_fail_message") {
                            c.expectFail = true
                            c.failMessage = String(rest.dropFirst("expected_fail_message".count)).trimmingCharacters(in: .whitespaces)
                        } else if rest.hasPrefix("expected_fail_regexp") {
                            c.expectFail = true
                            c.failRegex = String(rest.dropFirst("expected_fail_regexp".count)).trimmingCharacters(in: .whitespaces)
                        } else if rest == "ordered" {
                            c.ordered = true
                        } else if rest.hasPrefix("warn") || rest.hasPrefix("info") {
                            var msg: String?, regex: String?
                            if let r = rest.range(of: "msg:") { msg = String(rest[r.upperBound...]).trimmingCharacters(in: .whitespaces) }
                            if let r = rest.range(of: "regex:") { regex = String(rest[r.upperBound...]).trimmingCharacters(in: .whitespaces) }
                            if rest.hasPrefix("warn") { c.warnExpectations.append((msg, regex)) } else { c.infoExpectations.append((msg, regex)) }
                        } else if rest.hasPrefix("no_warn") {
                            c.noWarn = true
                        } else if rest.hasPrefix("no_info") {
                            c.noInfo = true
                        } else if rest.hasPrefix("string") {
                            let s = rest.dropFirst(6).trimmingCharacters(in: .whitespaces)
                            let quoted = s.count >= 2 && ((s.hasPrefix("\"") && s.hasSuffix("\"")) || (s.hasPrefix("`") && s.hasSuffix("`")))
                            c.expectedString = quoted ? String(s.dropFirst().dropLast()) : s
                        } else if rest.hasPrefix("range vector") {
                            c.expectedRangeVector = true
                        } else {
                            throw ScriptError("line \(n): unknown expectation \"\(l)\"")
                        }
                        continue
                    }
                    let (desc, values) = splitSeriesLine(l)
                    if values.isEmpty, let v = SeriesValues.number(desc) {
                        c.expected.append((nil, [.value(v)]))
                        continue
                    }
                    if values.isEmpty, desc.hasPrefix("\"") {
                        c.expectedString = String(desc.dropFirst().dropLast())
                        continue
                    }
                    do {
                        c.expected.append((try parseSeries(desc), try SeriesValues.parse(values)))
                    } catch { throw ScriptError("line \(n): \(error)") }
                }
                script.commands.append(.eval(c))
            default:
                throw ScriptError("line \(lineNo): unknown command \"\(words[0])\"")
            }
        }
        return script
    }
}
