import MetricModel
import Testing
@testable import TSDB

@Suite struct XORChunkTests {
    static func roundTrip(_ samples: [Sample]) -> [Sample] {
        var c = XORChunk()
        for s in samples { c.append(t: s.t, v: s.v) }
        var it = c.makeIterator()
        var out: [Sample] = []
        while let s = it.next() { out.append(s) }
        return out
    }

    @Test func roundTripsRegularCounter() {
        let samples = (0..<120).map { Sample(t: 1_700_000_000_000 + Int64($0) * 15_000, v: Double($0 * 3)) }
        #expect(Self.roundTrip(samples) == samples)
    }

    @Test(arguments: [1, 2, 3, 7, 42])
    func roundTripsRandomValuesAndJitteredTimes(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var t: Int64 = Int64(rng.next() % 1_000_000_000_000)
        var samples: [Sample] = []
        for _ in 0..<500 {
            t += Int64(rng.next() % 100_000) + 1
            samples.append(Sample(t: t, v: Double(bitPattern: rng.next())))
        }
        #expect(Self.roundTrip(samples) == samples)
    }

    @Test func roundTripsAdversarialValuesAndGaps() {
        let values: [Double] = [0, -0.0, .nan, StaleNaN.value, .infinity, -.infinity, .greatestFiniteMagnitude,
                                .leastNonzeroMagnitude, 1, 1, 1e-300, -1e300, 0.1, 0.2, 0.30000000000000004]
        let gaps: [Int64] = [1, 1, 8191, -8192 + 20000, 65_535, 1 << 19, 1 << 40, 1, Int64(Int32.max), 3, 1, 2, 5, 1 << 21, 7]
        var t: Int64 = -1_000_000
        var samples: [Sample] = []
        for (v, g) in zip(values, gaps) {
            t += g
            samples.append(Sample(t: t, v: v))
        }
        #expect(Self.roundTrip(samples) == samples)
    }

    @Test func compressesSlowCountersBelowOneAndAHalfBytesPerSample() {
        var c = XORChunk()
        var v = 1000.0
        for i in 0..<120 {
            if i % 4 == 0 { v += 1 }
            c.append(t: 1_700_000_000_000 + Int64(i) * 15_000, v: v)
        }
        #expect(Double(c.byteCount) / 120 <= 1.5)
    }

    @Test func corruptBytesEndIterationWithoutTrapping() {
        var c = XORChunk()
        for i in 0..<50 { c.append(t: Int64(i) * 1000, v: Double(i) * 1.5) }
        var bytes = c.encodedBytes
        bytes.removeLast(bytes.count / 2)
        var it = XORChunkIterator(bytes: bytes, bitCount: bytes.count * 8, count: 50)
        var n = 0
        while it.next() != nil { n += 1 }
        #expect(n < 50)
        #expect(it.failed)
        #expect(XORChunk(encoded: bytes, bitCount: bytes.count * 8, count: 50) == nil)
    }
}

/// A small deterministic generator for reproducible random tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
