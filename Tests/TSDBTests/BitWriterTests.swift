import Testing
@testable import TSDB

@Suite struct BitWriterTests {
    /// The bit at `position` of a stream, most significant bit of each byte first.
    static func bit(_ bytes: [UInt8], _ position: Int) -> UInt64 {
        UInt64(bytes[position >> 3] >> UInt8(7 - position & 7) & 1)
    }

    /// Fields of every width at every bit offset read back as written, bit by bit, and the
    /// stream holds exactly the bits written.
    @Test(arguments: [1, 7, 64, 1000])
    func readsBackFieldsOfEveryWidthAtEveryOffset(fields: Int) {
        var rng = SystemRandomNumberGenerator()
        var writer = BitWriter()
        var written: [(UInt64, Int)] = []
        for i in 0..<fields {
            let width = i % 65
            let value = width == 0 ? 0 : UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64(64 - width)
            writer.writeBits(value, width)
            written.append((value, width))
        }
        var position = 0
        for (value, width) in written {
            var read: UInt64 = 0
            for _ in 0..<width {
                read = read << 1 | Self.bit(writer.bytes, position)
                position += 1
            }
            #expect(read == value)
        }
        #expect(writer.bitCount == position)
    }
}
