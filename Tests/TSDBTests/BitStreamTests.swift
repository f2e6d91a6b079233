import Testing
@testable import TSDB

@Suite struct BitStreamTests {
    /// Fields of every width at every bit offset read back as written, near the end of the
    /// stream (byte-wise path) as well as in the middle (word-load path).
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
        var reader = BitReader(writer.bytes, bitCount: writer.bitCount)
        for (value, width) in written {
            #expect(reader.readBits(width) == value)
        }
        #expect(reader.readBits(1) == nil)
    }
}
