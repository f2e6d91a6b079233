import MetricModel
import NIOCore
import PromQL
import TSDB

/// Writes JSON straight into the response's bytes: large query results (hundreds of thousands of
/// points) are neither built as strings nor copied again on the way out.
struct JSONWriter {
    private(set) var buffer: ByteBuffer

    init(capacity: Int = 1024) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Appends text that is already JSON.
    mutating func raw(_ text: StaticString) { buffer.writeStaticString(text) }
    mutating func raw(_ text: String) { buffer.writeString(text) }
    mutating func raw(_ bytes: inout ByteBuffer) { buffer.writeBuffer(&bytes) }

    /// A quoted, escaped string (the escapes of ``JSONString/quote(_:)``).
    mutating func string(_ s: String) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maximumQuotedSize(s)) { out in
            Self.quoted(s, into: out, at: 0)
        }
    }

    /// Bytes `s` can take quoted: every byte escaped as `\u00XX` at worst.
    @inline(__always)
    private static func maximumQuotedSize(_ s: String) -> Int { s.utf8.count * 6 + 2 }

    /// Writes `s` quoted and escaped at `start`; returns the end. The caller reserved
    /// ``maximumQuotedSize(_:)`` bytes.
    private static func quoted(_ s: String, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        var i = start
        out[i] = UInt8(ascii: "\"")
        i += 1
        var text = s
        text.withUTF8 { bytes in
            for b in bytes {
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out[i] = UInt8(ascii: "\\")
                    out[i + 1] = b
                    i += 2
                case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    out[i] = UInt8(ascii: "\\")
                    out[i + 1] = b == UInt8(ascii: "\n") ? UInt8(ascii: "n") : (b == UInt8(ascii: "\r") ? UInt8(ascii: "r") : UInt8(ascii: "t"))
                    i += 2
                case 0..<0x20:
                    for (k, c) in "\\u00".utf8.enumerated() { out[i + k] = c }
                    out[i + 4] = hexDigit(b >> 4)
                    out[i + 5] = hexDigit(b & 0xF)
                    i += 6
                default:
                    out[i] = b
                    i += 1
                }
            }
        }
        out[i] = UInt8(ascii: "\"")
        return i + 1
    }

    private static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? UInt8(ascii: "0") + n : UInt8(ascii: "a") + n - 10 }

    /// Decimal digits of `n`.
    mutating func integer(_ n: Int64) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 21) { Self.signedDigits(n, into: $0, at: 0) }
    }

    /// Milliseconds as seconds with up to three fraction digits, as a JSON number.
    mutating func time(_ ms: Int64) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 25) { Self.seconds(ms, into: $0, at: 0) }
    }

    /// A sample value as a JSON string, formatted as Go's `FormatFloat(v, 'f', -1, 64)`.
    mutating func sampleValue(_ v: Double) {
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maximumFastValue + 2) { out -> Int in
            out[0] = UInt8(ascii: "\"")
            guard let end = Self.fastValue(v, into: out, at: 1) else { return 0 }
            out[end] = UInt8(ascii: "\"")
            return end + 1
        }
        if written == 0 {
            raw("\"")
            buffer.writeString(GoFloat.format(v))
            raw("\"")
        }
    }

    /// `[seconds,"value"]`.
    mutating func point(_ t: Int64, _ v: Double) {
        points(CollectionOfOne(Sample(t: t, v: v)))
    }

    /// Comma-separated `[seconds,"value"]` pairs. Range results hold hundreds of thousands of
    /// points, so they are written in batches under one capacity check each, with the digits of
    /// each value going straight into the buffer; a value only ``GoFloat`` writes as Go does goes
    /// through it alone.
    mutating func points(_ samples: some Collection<Sample>) {
        var index = samples.startIndex
        var needsComma = false
        while index != samples.endIndex {
            let batch = min(samples.distance(from: index, to: samples.endIndex), 256)
            var stoppedEarly = false
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: batch * Self.maximumFastPoint) { out -> Int in
                var i = 0
                for _ in 0..<batch {
                    let s = samples[index]
                    var start = i
                    if needsComma {
                        out[start] = UInt8(ascii: ",")
                        start += 1
                    }
                    guard let end = Self.fastPoint(s.t, s.v, into: out, at: start) else {
                        stoppedEarly = true
                        break
                    }
                    i = end
                    needsComma = true
                    index = samples.index(after: index)
                }
                return i
            }
            if stoppedEarly {
                let s = samples[index]
                if needsComma { raw(",") }
                raw("[")
                time(s.t)
                raw(",")
                sampleValue(s.v)
                raw("]")
                needsComma = true
                index = samples.index(after: index)
            }
        }
    }

    /// Bytes a point takes at most on the fast path, comma included: seconds and fraction, the
    /// value, punctuation.
    private static let maximumFastPoint = 25 + maximumFastValue + 6

    /// Bytes of a value on the fast path: an integer below 1e15 with its sign, or Swift's
    /// shortest digits without an exponent (at most 17 digits, a sign and a point).
    private static let maximumFastValue = 26

    /// Writes `[seconds,"value"]` at `start`; nil when the value needs ``GoFloat``.
    @inline(__always)
    private static func fastPoint(_ t: Int64, _ v: Double, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int? {
        out[start] = UInt8(ascii: "[")
        var i = seconds(t, into: out, at: start + 1)
        out[i] = UInt8(ascii: ",")
        out[i + 1] = UInt8(ascii: "\"")
        guard let end = fastValue(v, into: out, at: i + 2) else { return nil }
        i = end
        out[i] = UInt8(ascii: "\"")
        out[i + 1] = UInt8(ascii: "]")
        return i + 2
    }

    /// Writes `v` as Go's `FormatFloat(v, 'f', -1, 64)` does, when Swift's shortest digits are
    /// the same text: integers below 1e15, and values Swift prints without an exponent. Nil
    /// for the rest (NaN, ±Inf, -0, large integers, exponents), which ``GoFloat`` writes.
    @inline(__always)
    private static func fastValue(_ v: Double, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int? {
        if let n = exactInteger(v) { return signedDigits(n, into: out, at: start) }
        guard v.isFinite, v != v.rounded(.towardZero) else { return nil }
        var sink = DigitSink(out: out, position: start, limit: start + maximumFastValue)
        v.write(to: &sink)
        guard !sink.failed else { return nil }
        for k in start..<sink.position where out[k] == UInt8(ascii: "e") { return nil }
        return sink.position
    }

    /// `v` as an integer when it is one that prints without a fraction or exponent.
    @inline(__always)
    private static func exactInteger(_ v: Double) -> Int64? {
        guard v.isFinite, v == v.rounded(.towardZero), abs(v) < 1e15, !(v == 0 && v.sign == .minus) else { return nil }
        return Int64(v)
    }

    /// Milliseconds as seconds with up to three fraction digits; at most 25 bytes.
    @inline(__always)
    private static func seconds(_ ms: Int64, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        var i = start
        if ms < 0 {
            out[i] = UInt8(ascii: "-")
            i += 1
        }
        let a = ms.magnitude
        i = digits(a / 1000, minimum: 1, into: out, at: i)
        var frac = a % 1000
        guard frac != 0 else { return i }
        out[i] = UInt8(ascii: ".")
        var width = 3
        while frac % 10 == 0 { frac /= 10; width -= 1 }
        return digits(frac, minimum: width, into: out, at: i + 1)
    }

    /// `n` with its sign; at most 21 bytes.
    @inline(__always)
    private static func signedDigits(_ n: Int64, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        guard n < 0 else { return digits(n.magnitude, minimum: 1, into: out, at: start) }
        out[start] = UInt8(ascii: "-")
        return digits(n.magnitude, minimum: 1, into: out, at: start + 1)
    }

    /// Writes the decimal digits of `n`, zero-padded to `minimum`, at `start`; returns the end.
    /// At most 20 digits: callers reserve room for them.
    @inline(__always)
    private static func digits(_ n: UInt64, minimum: Int, into out: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        // Counted by comparison and written two digits per division: timestamps are ten digits,
        // and a range result writes hundreds of thousands of them.
        var count = 1
        var power: UInt64 = 10
        while count < 20, n >= power {
            count += 1
            power = power &* 10
        }
        let width = max(count, minimum)
        var m = n
        var i = start + width
        while i - start >= 2 {
            let pair = UInt8(truncatingIfNeeded: m % 100)
            m /= 100
            out[i - 1] = UInt8(ascii: "0") + pair % 10
            out[i - 2] = UInt8(ascii: "0") + pair / 10
            i -= 2
        }
        if i > start { out[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: m % 10) }
        return start + width
    }

    /// `{"name":"value",...}` in label order.
    mutating func labels(_ l: Labels) {
        // One capacity check for the whole object: results write one per series.
        let size = l.pairs.reduce(2) { $0 + Self.maximumQuotedSize($1.name) + Self.maximumQuotedSize($1.value) + 2 }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            var i = 0
            out[i] = UInt8(ascii: "{")
            i += 1
            for (k, p) in l.pairs.enumerated() {
                if k > 0 {
                    out[i] = UInt8(ascii: ",")
                    i += 1
                }
                i = Self.quoted(p.name, into: out, at: i)
                out[i] = UInt8(ascii: ":")
                i = Self.quoted(p.value, into: out, at: i + 1)
            }
            out[i] = UInt8(ascii: "}")
            return i + 1
        }
    }

    /// `[{"key":"value",…},…]`: a list of objects whose fields are all strings.
    mutating func stringObjects<S: Sequence>(_ items: S, _ fields: (S.Element) -> KeyValuePairs<String, String>) {
        buffer.writeInteger(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeInteger(UInt8(ascii: "{"))
            for (j, field) in fields(item).enumerated() {
                if j > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                string(field.key)
                buffer.writeInteger(UInt8(ascii: ":"))
                string(field.value)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }
}

/// Receives the standard library's float digits in place: `Double.write(to:)` hands its ASCII
/// bytes to `_writeASCII` from a buffer on the stack, so no string is allocated per value.
private struct DigitSink: TextOutputStream {
    let out: UnsafeMutableRawBufferPointer
    var position: Int
    /// Where the digits must end.
    let limit: Int
    /// Set when the text would not fit (the caller then formats the value another way).
    var failed = false

    init(out: UnsafeMutableRawBufferPointer, position: Int, limit: Int) {
        self.out = out
        self.position = position
        self.limit = limit
    }

    mutating func _writeASCII(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard position + bytes.count <= limit else { failed = true; return }
        UnsafeMutableRawBufferPointer(rebasing: out[position..<position + bytes.count]).copyMemory(from: UnsafeRawBufferPointer(bytes))
        position += bytes.count
    }

    mutating func write(_ string: String) {
        var s = string
        s.withUTF8 { _writeASCII($0) }
    }
}
