import MetricModel

/// A pull parser for the Prometheus text format (0.0.4) and OpenMetrics 1.0 text, over bytes.
///
/// Each call to ``next()`` returns one entry. Samples carry only the byte range of their series key;
/// callers that have seen that key before (the scrape cache) never pay for building ``Labels``,
/// and those that need them call ``labels()`` before the next call.
public struct ExpositionParser: Sendable {
    public let bytes: [UInt8]
    public let format: ExpositionFormat
    private var pos = 0
    private(set) public var line = 0
    private var sawEOF = false

    /// Spans of the current sample: metric name and label pairs (byte ranges into ``bytes``).
    private var nameSpan: ValueSpan?
    private var labelSpans: [(name: ValueSpan, value: ValueSpan)] = []
    /// The OpenMetrics family whose `_created` series are skipped, as Prometheus does.
    private var familyName: ArraySlice<UInt8> = []
    private var familyType: MetricType = .unknown

    /// A byte range and whether it holds escapes (or is quoted) to resolve when decoded.
    struct ValueSpan: Sendable {
        var range: Range<Int>
        var escaped: Bool
    }

    /// A parser of the text formats; a protobuf body (read whole by
    /// ``ExpositionFamily/decodeProtobuf(_:nativeHistograms:classicHistograms:)``) is read as text here.
    public init(bytes: [UInt8], format: ExpositionFormat) {
        self.bytes = bytes
        self.format = format == .protobuf ? .text : format
        labelSpans.reserveCapacity(16)
    }

    /// The raw bytes of a sample's series key.
    public func seriesKeyBytes(_ sample: ExpositionSample) -> ArraySlice<UInt8> { bytes[sample.seriesKey] }

    /// The next entry, or nil at the end of the body.
    public mutating func next() throws(ExpositionError) -> ExpositionEntry? {
        while true {
            guard pos < bytes.count else {
                if format == .openMetrics && !sawEOF { throw ExpositionError(line: line, message: "data does not end with # EOF") }
                return nil
            }
            let start = pos
            var end = start
            let count = bytes.count
            let found: Int? = bytes.withUnsafeBufferPointer { buf in
                var i = start
                while i < count { if buf[i] == 0x0A { return i }; i += 1 }
                return nil
            }
            end = found ?? count
            pos = end + 1
            line += 1
            // Trailing spaces, tabs and CR are tolerated.
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D { end -= 1 }
            var s = start
            while s < end, bytes[s] == 0x20 || bytes[s] == 0x09 { s += 1 }
            if s == end { continue }
            if sawEOF { throw ExpositionError(line: line, message: "unexpected data after # EOF") }
            if bytes[s] == UInt8(ascii: "#") {
                if let entry = try parseComment(s + 1, end) { return entry }
                continue
            }
            if let sample = try parseSample(s, end) { return .sample(sample) }
        }
    }

    // MARK: Comments

    private mutating func parseComment(_ from: Int, _ end: Int) throws(ExpositionError) -> ExpositionEntry? {
        var i = from
        skipBlanks(&i, end)
        let wordStart = i
        while i < end, bytes[i] != 0x20, bytes[i] != 0x09 { i += 1 }
        let word = bytes[wordStart..<i]
        if word.elementsEqual("EOF".utf8) && format == .openMetrics && i == end {
            sawEOF = true
            return nil
        }
        let kind: Int
        if word.elementsEqual("HELP".utf8) { kind = 0 } else if word.elementsEqual("TYPE".utf8) { kind = 1 } else if word.elementsEqual("UNIT".utf8) { kind = 2 } else { return nil }
        skipBlanks(&i, end)
        // The metric name: bare, or quoted (UTF-8 names).
        let name: String
        if i < end, bytes[i] == 0x22 {
            let span = try quotedSpan(&i, end, what: "metric name")
            name = try decode(span, what: "metric name")
        } else {
            let ns = i
            while i < end, isMetricNameByte(bytes[i], first: i == ns) { i += 1 }
            guard i > ns else {
                // A comment that merely starts with HELP/TYPE in the text format is just a comment.
                if format == .text { return nil }
                throw ExpositionError(line: line, message: "invalid metric name in comment")
            }
            name = String(decoding: bytes[ns..<i], as: UTF8.self)
        }
        if i < end, bytes[i] != 0x20, bytes[i] != 0x09 {
            throw ExpositionError(line: line, message: "invalid metric name in comment")
        }
        skipBlanks(&i, end)
        let rest = bytes[i..<end]
        switch kind {
        case 0:
            return .help(metric: name, text: unescapeHelp(rest))
        case 1:
            let token = String(decoding: rest, as: UTF8.self)
            guard let t = MetricType(token: token), Self.allowedTypes(format).contains(token) else {
                throw ExpositionError(line: line, message: "invalid metric type \"\(token)\"")
            }
            familyName = ArraySlice(name.utf8)
            familyType = t
            return .type(metric: name, t)
        default:
            guard format == .openMetrics else { return nil }
            return .unit(metric: name, unit: String(decoding: rest, as: UTF8.self))
        }
    }

    /// TYPE tokens each format defines.
    private static func allowedTypes(_ format: ExpositionFormat) -> Set<String> {
        switch format {
        case .text, .protobuf: return ["counter", "gauge", "histogram", "summary", "untyped"]
        case .openMetrics: return ["counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"]
        }
    }

    private func unescapeHelp(_ raw: ArraySlice<UInt8>) -> String {
        guard raw.contains(0x5C) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var it = raw.makeIterator()
        while let b = it.next() {
            guard b == 0x5C, let n = it.next() else { out.append(b); continue }
            switch n {
            case UInt8(ascii: "n"): out.append(0x0A)
            case 0x5C: out.append(0x5C)
            case 0x22 where format == .openMetrics: out.append(0x22)
            default: out.append(b); out.append(n)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Samples

    private mutating func parseSample(_ from: Int, _ end: Int) throws(ExpositionError) -> ExpositionSample? {
        var i = from
        nameSpan = nil
        labelSpans.removeAll(keepingCapacity: true)
        if bytes[i] != UInt8(ascii: "{") {
            let ns = i
            while i < end, isMetricNameByte(bytes[i], first: i == ns) { i += 1 }
            guard i > ns else { throw ExpositionError(line: line, message: "expected a metric name, found \(describe(i, end))") }
            nameSpan = ValueSpan(range: ns..<i, escaped: false)
            // The text format allows blanks between the name and `{`.
            var j = i
            if format == .text { skipBlanks(&j, end) }
            if j < end, bytes[j] == UInt8(ascii: "{") { i = j }
        }
        if i < end, bytes[i] == UInt8(ascii: "{") {
            try parseLabels(&i, end)
        }
        guard nameSpan != nil else { throw ExpositionError(line: line, message: "sample has no metric name") }
        let key = from..<i
        guard i < end, bytes[i] == 0x20 || bytes[i] == 0x09 else {
            throw ExpositionError(line: line, message: "expected a space before the value, found \(describe(i, end))")
        }
        skipBlanks(&i, end)
        let vs = i
        while i < end, bytes[i] != 0x20, bytes[i] != 0x09 { i += 1 }
        guard let value = parseFloat(vs, i) else {
            throw ExpositionError(line: line, message: "invalid value \"\(String(decoding: bytes[vs..<i], as: UTF8.self))\"")
        }
        skipBlanks(&i, end)
        var timestamp: Int64?
        if i < end, bytes[i] != UInt8(ascii: "#") {
            let ts = i
            while i < end, bytes[i] != 0x20, bytes[i] != 0x09 { i += 1 }
            timestamp = try parseTimestamp(ts, i)
            skipBlanks(&i, end)
        }
        if i < end {
            // OpenMetrics exemplars (` # {...} v [ts]`) are tolerated and ignored.
            guard bytes[i] == UInt8(ascii: "#"), format == .openMetrics else {
                throw ExpositionError(line: line, message: "unexpected \(describe(i, end)) after the sample")
            }
        }
        if format == .openMetrics, isCreatedSeries() { return nil }
        return ExpositionSample(seriesKey: key, value: value, timestamp: timestamp)
    }

    /// OpenMetrics `_created` samples of counters, histograms and summaries carry creation times,
    /// not values; Prometheus does not store them as series.
    private func isCreatedSeries() -> Bool {
        guard familyType == .counter || familyType == .histogram || familyType == .summary || familyType == .gaugehistogram,
              let span = nameSpan, !span.escaped else { return false }
        let name = bytes[span.range]
        let suffix = "_created".utf8
        return name.count == familyName.count + suffix.count && name.starts(with: familyName)
            && name.suffix(suffix.count).elementsEqual(suffix)
    }

    private mutating func parseLabels(_ i: inout Int, _ end: Int) throws(ExpositionError) {
        i += 1 // {
        var first = true
        while true {
            skipBlanks(&i, end)
            guard i < end else { throw ExpositionError(line: line, message: "unterminated label set") }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            let name: ValueSpan
            if bytes[i] == 0x22 {
                name = try quotedSpan(&i, end, what: "label name")
                skipBlanks(&i, end)
                // `{"metric.name", ...}`: a lone quoted string first is the metric name.
                if first, nameSpan == nil, i < end, bytes[i] == UInt8(ascii: ",") || bytes[i] == UInt8(ascii: "}") {
                    nameSpan = name
                    if bytes[i] == UInt8(ascii: ",") { i += 1 }
                    first = false
                    continue
                }
            } else {
                let ns = i
                while i < end, isLabelNameByte(bytes[i], first: i == ns) { i += 1 }
                guard i > ns else { throw ExpositionError(line: line, message: "expected a label name, found \(describe(i, end))") }
                name = ValueSpan(range: ns..<i, escaped: false)
                skipBlanks(&i, end)
            }
            first = false
            guard i < end, bytes[i] == UInt8(ascii: "=") else {
                throw ExpositionError(line: line, message: "expected \"=\" after label name, found \(describe(i, end))")
            }
            i += 1
            skipBlanks(&i, end)
            guard i < end, bytes[i] == 0x22 else {
                throw ExpositionError(line: line, message: "expected a quoted label value, found \(describe(i, end))")
            }
            let value = try quotedSpan(&i, end, what: "label value")
            labelSpans.append((name, value))
            skipBlanks(&i, end)
            guard i < end else { throw ExpositionError(line: line, message: "unterminated label set") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return }
            throw ExpositionError(line: line, message: "expected \",\" or \"}\" after label value, found \(describe(i, end))")
        }
    }

    /// Scans `"..."` starting at the opening quote; returns the inner range.
    private func quotedSpan(_ i: inout Int, _ end: Int, what: String) throws(ExpositionError) -> ValueSpan {
        let start = i + 1
        var j = start
        var escaped = false
        while j < end {
            let b = bytes[j]
            if b == 0x5C { escaped = true; j += 2; continue }
            if b == 0x22 { break }
            j += 1
        }
        guard j < end else { throw ExpositionError(line: line, message: "unterminated quoted \(what)") }
        i = j + 1
        return ValueSpan(range: start..<j, escaped: escaped)
    }

    private func decode(_ span: ValueSpan, what: String) throws(ExpositionError) -> String {
        let raw = bytes[span.range]
        var out: [UInt8]
        if span.escaped {
            out = []
            out.reserveCapacity(raw.count)
            var it = raw.makeIterator()
            while let b = it.next() {
                guard b == 0x5C, let n = it.next() else { out.append(b); continue }
                switch n {
                case UInt8(ascii: "n"): out.append(0x0A)
                case 0x5C, 0x22: out.append(n)
                default: out.append(b); out.append(n)
                }
            }
        } else {
            out = Array(raw)
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw ExpositionError(line: line, message: "invalid UTF-8 in \(what)")
        }
        return s
    }

    /// The current sample's metric name.
    public func metricName() throws(ExpositionError) -> String {
        guard let span = nameSpan else { return "" }
        return try decode(span, what: "metric name")
    }

    /// The current sample's full label set (including `__name__`). Duplicate names are an error.
    public func labels() throws(ExpositionError) -> Labels {
        var pairs: [Label] = []
        pairs.reserveCapacity(labelSpans.count + 1)
        pairs.append(Label(LabelName.metricName, try metricName()))
        for (n, v) in labelSpans {
            let value = try decode(v, what: "label value")
            pairs.append(Label(try decode(n, what: "label name"), value))
        }
        pairs.sort { $0.name < $1.name }
        for k in pairs.indices.dropFirst() where pairs[k].name == pairs[k - 1].name {
            throw ExpositionError(line: line, message: "duplicate label name \"\(pairs[k].name)\"")
        }
        return Labels(pairs.filter { !$0.value.isEmpty })
    }

    // MARK: Lexical helpers

    private func skipBlanks(_ i: inout Int, _ end: Int) {
        while i < end, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    }

    @inline(__always)
    private func isMetricNameByte(_ b: UInt8, first: Bool) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x3A || (!first && b >= 0x30 && b <= 0x39)
    }

    @inline(__always)
    private func isLabelNameByte(_ b: UInt8, first: Bool) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || (!first && b >= 0x30 && b <= 0x39)
    }

    private func describe(_ i: Int, _ end: Int) -> String {
        guard i < end else { return "end of line" }
        let stop = min(end, i + 16)
        return "\"\(String(decoding: bytes[i..<stop], as: UTF8.self))\""
    }

    private static let powersOfTen: [Double] = (0...22).map { p in
        var v = 1.0
        for _ in 0..<p { v *= 10 }
        return v
    }

    /// Parses a float. Decimals with at most 15 significant digits and a power of ten within ±22
    /// take an exact fast path (both operands are exactly representable, so one IEEE operation
    /// rounds correctly); special values are matched as bytes; anything else goes to the standard library.
    func parseFloat(_ start: Int, _ end: Int) -> Double? {
        guard start < end else { return nil }
        if let special = parseSpecial(start, end) { return special }
        var i = start
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var sawDigit = false
        var exp10 = 0
        var sawDot = false
        var fast = true
        while i < end {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                sawDigit = true
                if digits < 15 {
                    mantissa = mantissa * 10 + UInt64(b - 0x30)
                    if mantissa != 0 { digits += 1 }
                    if sawDot { exp10 -= 1 }
                } else if !sawDot {
                    fast = false
                } else if b != 0x30 {
                    fast = false
                }
            } else if b == UInt8(ascii: ".") && !sawDot {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E"), sawDigit {
            i += 1
            var expNegative = false
            if i < end, bytes[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if i < end, bytes[i] == UInt8(ascii: "+") { i += 1 }
            var e = 0
            let expStart = i
            while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                e = min(e * 10 + Int(bytes[i] - 0x30), 10_000)
                i += 1
            }
            if i == expStart { return nil }
            exp10 += expNegative ? -e : e
        }
        if fast, i == end, sawDigit, exp10 >= -22, exp10 <= 22 {
            let m = Double(mantissa)
            let v = exp10 >= 0 ? m * Self.powersOfTen[exp10] : m / Self.powersOfTen[-exp10]
            return negative ? -v : v
        }
        return Double(String(decoding: bytes[start..<end], as: UTF8.self))
    }

    /// `NaN`, `Inf`, `+Inf`, `-Inf` (case-insensitive, as Go's ParseFloat accepts them).
    private func parseSpecial(_ start: Int, _ end: Int) -> Double? {
        let n = end - start
        guard n >= 3, n <= 4 else { return nil }
        var i = start
        var sign = 1.0
        if n == 4 {
            if bytes[i] == UInt8(ascii: "+") { i += 1 } else if bytes[i] == UInt8(ascii: "-") { sign = -1; i += 1 } else { return nil }
        }
        let a = bytes[i] | 0x20, b = bytes[i + 1] | 0x20, c = bytes[i + 2] | 0x20
        if a == UInt8(ascii: "i"), b == UInt8(ascii: "n"), c == UInt8(ascii: "f") { return sign * .infinity }
        if n == 3, a == UInt8(ascii: "n"), b == UInt8(ascii: "a"), c == UInt8(ascii: "n") { return .nan }
        return nil
    }

    private func parseTimestamp(_ start: Int, _ end: Int) throws(ExpositionError) -> Int64 {
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        switch format {
        case .text, .protobuf:
            guard let ms = Int64(text) else { throw ExpositionError(line: line, message: "invalid timestamp \"\(text)\"") }
            return ms
        case .openMetrics:
            guard let seconds = Double(text), seconds.isFinite, abs(seconds) < 9.2e15 else {
                throw ExpositionError(line: line, message: "invalid timestamp \"\(text)\"")
            }
            return Int64((seconds * 1000).rounded())
        }
    }
}
