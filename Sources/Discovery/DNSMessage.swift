/// DNS wire format (RFC 1035, SRV from RFC 2782): the one question Vigil asks and the answer
/// records it reads. Parsing is bounded everywhere, since replies come from the network.
package enum DNSMessage {
    /// Record types Vigil asks for or follows.
    package enum RecordType: UInt16, Sendable {
        case a = 1, ns = 2, cname = 5, mx = 15, aaaa = 28, srv = 33, opt = 41
    }

    /// One answer record's data.
    package enum Record: Sendable, Hashable {
        case a([UInt8])
        case aaaa([UInt8])
        case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
        case mx(preference: UInt16, exchange: String)
        case ns(String)
        case cname(String)
    }

    /// A parsed reply.
    package struct Reply: Sendable {
        package var id: UInt16
        /// Response code: 0 no error, 2 server failure, 3 the name does not exist.
        package var rcode: UInt8
        /// The reply did not fit (UDP): ask again over TCP.
        package var truncated: Bool
        package var answers: [Record]
    }

    package struct MalformedReply: Error, Sendable, CustomStringConvertible {
        package var reason: String
        package var description: String { "malformed DNS reply: \(reason)" }
    }

    /// A recursive query for `name` (absolute, with or without the trailing dot), with an EDNS0
    /// record offering 4096-byte UDP replies. Nil for a name that cannot be encoded.
    package static func query(id: UInt16, name: String, type: RecordType) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        out += [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]
        var total = 0
        let absolute = name.hasSuffix(".") ? String(name.dropLast()) : name
        guard !absolute.isEmpty else { return nil }
        for label in absolute.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count <= 63 else { return nil }
            total += bytes.count + 1
            out.append(UInt8(bytes.count))
            out += bytes
        }
        guard total <= 254 else { return nil }
        out.append(0)
        out += [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), 0, 1]
        // EDNS0 OPT: root name, type 41, UDP payload size 4096, no extended flags, no options.
        out += [0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0]
        return out
    }

    /// Parses a reply; records of types Vigil does not use are skipped.
    package static func parse(_ bytes: [UInt8]) throws(MalformedReply) -> Reply {
        var r = Reader(bytes: bytes)
        guard bytes.count >= 12 else { throw MalformedReply(reason: "shorter than a header") }
        let id = try r.u16()
        let flags = try r.u16()
        let qd = try r.u16(), an = try r.u16()
        _ = try r.u16()
        _ = try r.u16()
        for _ in 0..<qd {
            _ = try r.name()
            _ = try r.u16()
            _ = try r.u16()
        }
        var answers: [Record] = []
        for _ in 0..<an {
            _ = try r.name()
            let type = try r.u16()
            _ = try r.u16()
            _ = try r.u32()
            let length = Int(try r.u16())
            let end = r.offset + length
            guard end <= bytes.count else { throw MalformedReply(reason: "record data runs past the end") }
            switch RecordType(rawValue: type) {
            case .a:
                guard length == 4 else { throw MalformedReply(reason: "A record of \(length) bytes") }
                answers.append(.a(Array(bytes[r.offset..<end])))
            case .aaaa:
                guard length == 16 else { throw MalformedReply(reason: "AAAA record of \(length) bytes") }
                answers.append(.aaaa(Array(bytes[r.offset..<end])))
            case .srv:
                let priority = try r.u16(), weight = try r.u16(), port = try r.u16()
                answers.append(.srv(priority: priority, weight: weight, port: port, target: try r.name()))
            case .mx:
                let preference = try r.u16()
                answers.append(.mx(preference: preference, exchange: try r.name()))
            case .ns:
                answers.append(.ns(try r.name()))
            case .cname:
                answers.append(.cname(try r.name()))
            default:
                break
            }
            guard r.offset <= end else { throw MalformedReply(reason: "record data longer than its length") }
            r.offset = end
        }
        return Reply(id: id, rcode: UInt8(flags & 0x0F), truncated: flags & 0x0200 != 0, answers: answers)
    }

    /// A cursor over a reply.
    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func u16() throws(MalformedReply) -> UInt16 {
            guard offset + 2 <= bytes.count else { throw MalformedReply(reason: "truncated at byte \(offset)") }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        mutating func u32() throws(MalformedReply) -> UInt32 {
            let hi = try u16(), lo = try u16()
            return UInt32(hi) << 16 | UInt32(lo)
        }

        /// A name, following compression pointers; the cursor ends after the name's first part.
        mutating func name() throws(MalformedReply) -> String {
            var labels: [String] = []
            var position = offset
            var jumped = false
            var jumps = 0
            var length = 0
            while true {
                guard position < bytes.count else { throw MalformedReply(reason: "name runs past the end") }
                let byte = bytes[position]
                if byte == 0 {
                    if !jumped { offset = position + 1 }
                    break
                }
                if byte & 0xC0 == 0xC0 {
                    guard position + 1 < bytes.count else { throw MalformedReply(reason: "truncated name pointer") }
                    jumps += 1
                    // A name of at most 127 labels needs no more pointers than that; more is a loop.
                    guard jumps <= 127 else { throw MalformedReply(reason: "name pointers form a loop") }
                    let target = Int(byte & 0x3F) << 8 | Int(bytes[position + 1])
                    if !jumped { offset = position + 2 }
                    jumped = true
                    position = target
                    continue
                }
                guard byte & 0xC0 == 0 else { throw MalformedReply(reason: "unknown label type") }
                let count = Int(byte)
                guard position + 1 + count <= bytes.count else { throw MalformedReply(reason: "label runs past the end") }
                length += count + 1
                guard length <= 255 else { throw MalformedReply(reason: "name longer than 255 bytes") }
                labels.append(String(decoding: bytes[(position + 1)...(position + count)], as: UTF8.self))
                position += 1 + count
            }
            return labels.joined(separator: ".")
        }
    }
}
