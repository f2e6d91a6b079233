/// The snappy block format (no framing), as the Prometheus remote-write protocol uses it.
public enum Snappy {
    /// Why a block could not be decoded.
    public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
        case truncated
        case invalidLength
        case tooLarge(declared: Int, limit: Int)
        case invalidOffset
        case lengthMismatch

        public var description: String {
            switch self {
            case .truncated: return "snappy: truncated input"
            case .invalidLength: return "snappy: invalid length"
            case .tooLarge(let d, let l): return "snappy: decoded length \(d) exceeds the limit of \(l) bytes"
            case .invalidOffset: return "snappy: copy offset out of range"
            case .lengthMismatch: return "snappy: decoded length does not match the header"
            }
        }
    }

    /// The decoded length the header declares.
    public static func decodedLength(_ input: [UInt8]) throws(DecodeError) -> Int {
        var i = 0
        return try readUVarint(input, &i)
    }

    private static func readUVarint(_ input: [UInt8], _ i: inout Int) throws(DecodeError) -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while i < input.count {
            let b = input[i]
            i += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 {
                guard result <= UInt64(Int32.max) else { throw .invalidLength }
                return Int(result)
            }
            shift += 7
            if shift > 35 { throw .invalidLength }
        }
        throw .truncated
    }

    /// Decodes a block, refusing to produce more than `limit` bytes.
    public static func decode(_ input: [UInt8], limit: Int = 64 << 20) throws(DecodeError) -> [UInt8] {
        var i = 0
        let length = try readUVarint(input, &i)
        guard length <= limit else { throw .tooLarge(declared: length, limit: limit) }
        var out: [UInt8] = []
        out.reserveCapacity(length)
        while i < input.count {
            let tag = input[i]
            i += 1
            switch tag & 3 {
            case 0:
                var len = Int(tag >> 2)
                if len >= 60 {
                    let extra = len - 59
                    guard input.count - i >= extra else { throw .truncated }
                    len = 0
                    for k in 0..<extra { len |= Int(input[i + k]) << (8 * k) }
                    i += extra
                }
                len += 1
                guard input.count - i >= len else { throw .truncated }
                guard out.count + len <= length else { throw .lengthMismatch }
                out.append(contentsOf: input[i..<i + len])
                i += len
            case 1:
                guard i < input.count else { throw .truncated }
                let len = 4 + Int((tag >> 2) & 7)
                let offset = Int(tag >> 5) << 8 | Int(input[i])
                i += 1
                try copy(&out, offset: offset, length: len, limit: length)
            case 2:
                guard input.count - i >= 2 else { throw .truncated }
                let len = 1 + Int(tag >> 2)
                let offset = Int(input[i]) | Int(input[i + 1]) << 8
                i += 2
                try copy(&out, offset: offset, length: len, limit: length)
            default:
                guard input.count - i >= 4 else { throw .truncated }
                let len = 1 + Int(tag >> 2)
                var offset = 0
                for k in 0..<4 { offset |= Int(input[i + k]) << (8 * k) }
                i += 4
                try copy(&out, offset: offset, length: len, limit: length)
            }
        }
        guard out.count == length else { throw .lengthMismatch }
        return out
    }

    @inline(__always)
    private static func copy(_ out: inout [UInt8], offset: Int, length: Int, limit: Int) throws(DecodeError) {
        guard offset > 0, offset <= out.count else { throw .invalidOffset }
        guard out.count + length <= limit else { throw .lengthMismatch }
        let start = out.count - offset
        // Byte by byte: the source may overlap what is being written (run-length copies).
        for k in 0..<length { out.append(out[start + k]) }
    }

    /// Encodes a block with greedy matching over a hash table of 4-byte sequences.
    public static func encode(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 2 + 16)
        var n = UInt64(input.count)
        while n >= 0x80 { out.append(UInt8(truncatingIfNeeded: n) | 0x80); n >>= 7 }
        out.append(UInt8(n))
        guard input.count >= 4 else {
            if !input.isEmpty { emitLiteral(&out, input[...]) }
            return out
        }
        let tableBits = 14
        var table = [Int](repeating: -1, count: 1 << tableBits)
        func load32(_ p: Int) -> UInt32 {
            UInt32(input[p]) | UInt32(input[p + 1]) << 8 | UInt32(input[p + 2]) << 16 | UInt32(input[p + 3]) << 24
        }
        func hash(_ v: UInt32) -> Int { Int((v &* 0x1E35_A7BD) >> UInt32(32 - tableBits)) }
        var literalStart = 0
        var p = 0
        while p + 4 <= input.count {
            let v = load32(p)
            let h = hash(v)
            let candidate = table[h]
            table[h] = p
            if candidate >= 0, p - candidate <= 65535, load32(candidate) == v {
                if literalStart < p { emitLiteral(&out, input[literalStart..<p]) }
                var len = 4
                while p + len < input.count, input[candidate + len] == input[p + len] { len += 1 }
                emitCopy(&out, offset: p - candidate, length: len)
                p += len
                literalStart = p
            } else {
                p += 1
            }
        }
        if literalStart < input.count { emitLiteral(&out, input[literalStart...]) }
        return out
    }

    private static func emitLiteral(_ out: inout [UInt8], _ bytes: ArraySlice<UInt8>) {
        let n = bytes.count - 1
        if n < 60 {
            out.append(UInt8(n << 2))
        } else if n < 1 << 8 {
            out.append(60 << 2); out.append(UInt8(n))
        } else if n < 1 << 16 {
            out.append(61 << 2); out.append(UInt8(n & 0xFF)); out.append(UInt8(n >> 8))
        } else if n < 1 << 24 {
            out.append(62 << 2); out.append(UInt8(n & 0xFF)); out.append(UInt8((n >> 8) & 0xFF)); out.append(UInt8(n >> 16))
        } else {
            out.append(63 << 2)
            for k in 0..<4 { out.append(UInt8((n >> (8 * k)) & 0xFF)) }
        }
        out.append(contentsOf: bytes)
    }

    private static func emitCopy(_ out: inout [UInt8], offset: Int, length: Int) {
        var remaining = length
        // Copies with a 2-byte offset carry at most 64 bytes each.
        while remaining > 0 {
            let len = remaining > 64 ? (remaining - 64 < 4 ? 60 : 64) : remaining
            out.append(UInt8(((len - 1) << 2) | 2))
            out.append(UInt8(offset & 0xFF))
            out.append(UInt8(offset >> 8))
            remaining -= len
        }
    }
}
