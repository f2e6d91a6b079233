import Testing
@testable import TSDB

@Suite struct CRC32CTests {
    @Test func matchesTheCastagnoliCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // 32 zero bytes, from RFC 3720's examples.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func eightBytesAtATimeAgreesWithOneByteAtATime() {
        var seed: UInt64 = 7
        for length in 0..<80 {
            let bytes = (0..<length).map { _ -> UInt8 in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1
                return UInt8(truncatingIfNeeded: seed >> 56)
            }
            // A lazy map has no contiguous storage: the byte-at-a-time path.
            #expect(CRC32C.checksum(bytes) == CRC32C.checksum(bytes.lazy.map { $0 }), "length \(length)")
            #expect(CRC32C.checksum(bytes, seed: 0xDEAD_BEEF) == CRC32C.checksum(bytes.lazy.map { $0 }, seed: 0xDEAD_BEEF))
            // Misaligned starts.
            if length > 3 {
                #expect(CRC32C.checksum(bytes[3...]) == CRC32C.checksum(bytes.dropFirst(3).lazy.map { $0 }))
            }
        }
    }
}
