import Testing
@testable import Snappy

@Suite struct SnappyTests {
    static func lcg(_ seed: UInt64, count: Int, alphabet: UInt8) -> [UInt8] {
        var x = seed
        return (0..<count).map { _ in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: x >> 33) % alphabet
        }
    }

    @Test(arguments: [0, 1, 3, 4, 59, 60, 61, 255, 256, 70_000, 1 << 20])
    func roundTripsRepetitiveAndRandomData(size: Int) throws {
        for input in [Self.lcg(UInt64(size), count: size, alphabet: 4), Self.lcg(7, count: size, alphabet: 255),
                      Array(repeating: 0x41, count: size)] {
            let encoded = Snappy.encode(input)
            #expect(try Snappy.decode(encoded) == input)
        }
    }

    @Test func compressesRepetitiveInput() {
        let input = Array(String(repeating: "python_request_operations_total{job=\"model-api\"} ", count: 200).utf8)
        #expect(Snappy.encode(input).count < input.count / 10)
    }

    @Test func decodesAKnownBlock() throws {
        // "abcabcabcabc": literal "abc", then a 1-byte-offset copy of 9 bytes at distance 3.
        let block: [UInt8] = [12, 2 << 2, 0x61, 0x62, 0x63, 0b0001_0101, 3]
        #expect(try Snappy.decode(block) == Array("abcabcabcabc".utf8))
    }

    @Test(arguments: [
        ([UInt8]([5, 0, 0x61]), Snappy.DecodeError.lengthMismatch),
        ([2, 4], .truncated),
        ([8, 0b0001_0101, 9], .invalidOffset),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], .invalidLength),
        ([0x80, 0x80, 0x80, 0x40], .tooLarge(declared: 1 << 27, limit: 64 << 20)),
        ([0x80], .truncated),
    ])
    func refusesCorruptBlocks(block: [UInt8], expected: Snappy.DecodeError) {
        #expect(throws: expected) { _ = try Snappy.decode(block) }
    }

    @Test func garbageNeverTraps() {
        for seed in 0..<2000 {
            let junk = Self.lcg(UInt64(seed), count: seed % 300, alphabet: 255)
            _ = try? Snappy.decode(junk, limit: 1 << 16)
        }
    }
}
