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

    /// Prometheus' bit stream leaves a zero byte after whole bytes written from a byte boundary,
    /// and its chunks keep it when such a write comes last (seen in a histogram chunk ending in a
    /// staleness marker): the chunk data Vigil writes for Prometheus' formats does the same.
    @Test func wholeBytesWrittenFromABoundaryLastLeaveTheSpareBytePrometheusLeaves() {
        var w = BitWriter()
        w.writeBits(0xAB, 8)
        #expect(w.bytes == [0xAB] && w.prometheusBytes == [0xAB, 0])
        w.writeBit(true)
        #expect(w.prometheusBytes == [0xAB, 0x80], "the next bit fills the spare byte")
        w.writeBits(0x7F, 7)
        w.writeBits(0x1234, 16)
        #expect(w.prometheusBytes == [0xAB, 0xFF, 0x12, 0x34, 0])
        w.writeBits(0x5, 3)
        w.writeBits(0xFF, 8)
        #expect(w.prometheusBytes == w.bytes, "whole bytes from mid-byte leave no spare byte")
        var spared = BitWriter()
        spared.writeBits(0xAB, 8)
        #expect(spared == BitWriter(bytes: [0xAB]), "the spare byte is not part of the stream's value")
    }
}
