@testable import Discovery
import Testing

/// The DNS wire format: the query Vigil sends and the replies it reads, including hostile ones.
@Suite struct DNSMessageTests {
    /// A reply to `query` carrying `answers` (each a name pointer to the question, type, data).
    static func reply(to query: [UInt8], rcode: UInt8 = 0, truncated: Bool = false, answers: [(UInt16, [UInt8])]) -> [UInt8] {
        // The question ends before the EDNS0 record (11 bytes) that the query carries.
        let question = Array(query[12..<(query.count - 11)])
        var out: [UInt8] = [query[0], query[1], truncated ? 0x83 : 0x81, 0x80 | rcode, 0, 1, 0, UInt8(answers.count), 0, 0, 0, 0]
        out += question
        for (type, data) in answers {
            out += [0xC0, 12, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1, 0, 0, 0, 60, UInt8(data.count >> 8), UInt8(data.count & 0xFF)]
            out += data
        }
        return out
    }

    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    @Test func aQueryEncodesTheNameTypeAndAnEDNSRecord() throws {
        let q = try #require(DNSMessage.query(id: 0xBEEF, name: "_metrics._tcp.example.org.", type: .srv))
        #expect(q[0] == 0xBE && q[1] == 0xEF)
        #expect(q[2] == 0x01, "recursion desired")
        #expect(Array(q[12..<(12 + 27)]) == Self.name("_metrics._tcp.example.org"))
        #expect(q[39...42] == [0, 33, 0, 1])
        #expect(q.suffix(11).first == 0 && q.suffix(10).prefix(2) == [0, 41])
    }

    @Test func namesThatCannotBeEncodedAreRefused() {
        #expect(DNSMessage.query(id: 1, name: "", type: .a) == nil)
        #expect(DNSMessage.query(id: 1, name: "a..b", type: .a) == nil)
        #expect(DNSMessage.query(id: 1, name: String(repeating: "x", count: 64) + ".org", type: .a) == nil)
        #expect(DNSMessage.query(id: 1, name: Array(repeating: "abcdefghi", count: 30).joined(separator: "."), type: .a) == nil)
    }

    @Test func srvARecordsAndCompressedNamesAreRead() throws {
        let q = try #require(DNSMessage.query(id: 7, name: "_m._tcp.example.org", type: .srv))
        // The SRV target points back into the question's name for "example.org".
        let srv: [UInt8] = [0, 10, 0, 5, 0x23, 0x8C] + [3] + Array("api".utf8) + [0xC0, 12 + 3 + 5]
        let bytes = Self.reply(to: q, answers: [(33, srv), (1, [10, 0, 0, 7])])
        let reply = try DNSMessage.parse(bytes)
        #expect(reply.id == 7)
        #expect(reply.rcode == 0)
        #expect(reply.answers == [.srv(priority: 10, weight: 5, port: 9100, target: "api.example.org"), .a([10, 0, 0, 7])])
    }

    @Test func nxdomainAndTruncationAreReported() throws {
        let q = try #require(DNSMessage.query(id: 9, name: "gone.example.org", type: .a))
        #expect(try DNSMessage.parse(Self.reply(to: q, rcode: 3, answers: [])).rcode == 3)
        #expect(try DNSMessage.parse(Self.reply(to: q, truncated: true, answers: [])).truncated)
    }

    @Test func hostileRepliesAreErrorsNotTraps() throws {
        let q = try #require(DNSMessage.query(id: 1, name: "x.org", type: .srv))
        // A name pointer to itself: a loop.
        let loop = Self.reply(to: q, answers: [(33, [0, 0, 0, 0, 0, 80, 0xC0, UInt8(12 + 7 + 4 + 12 + 6)])])
        #expect(throws: DNSMessage.MalformedReply.self) { try DNSMessage.parse(loop) }
        // Record data longer than the message.
        var long = Self.reply(to: q, answers: [(1, [1, 2, 3, 4])])
        long[long.count - 5] = 0xFF
        #expect(throws: DNSMessage.MalformedReply.self) { try DNSMessage.parse(long) }
        // An A record of the wrong size, a header cut short, every prefix of a good reply.
        #expect(throws: DNSMessage.MalformedReply.self) { try DNSMessage.parse(Self.reply(to: q, answers: [(1, [1, 2, 3])])) }
        #expect(throws: DNSMessage.MalformedReply.self) { try DNSMessage.parse([0, 1, 2]) }
        let good = Self.reply(to: q, answers: [(33, [0, 1, 0, 1, 0, 80, 1, 0x61, 0])])
        for n in 12..<good.count { _ = try? DNSMessage.parse(Array(good.prefix(n))) }
    }

    @Test func ipv6AddressesAreWrittenInTheirShortForm() {
        #expect(DNSSDProvider.ipv6Text([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]) == "2001:db8::1")
        #expect(DNSSDProvider.ipv6Text(Array(repeating: 0, count: 15) + [1]) == "::1")
        #expect(DNSSDProvider.ipv6Text([0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]) == "1:0:2::3")
    }
}
