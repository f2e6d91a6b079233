import MetricModel
import Testing
@testable import TSDB

@Suite struct XORChunkTests {
    static func roundTrip(_ samples: [Sample]) -> [Sample] {
        var c = XORChunk()
        for s in samples { c.append(t: s.t, v: s.v) }
        var times: [Int64] = [], values: [Double] = []
        #expect(c.appendSamples(mint: .min, maxt: .max, times: &times, values: &values))
        // A snapshot's bytes rebuild the same chunk.
        #expect(XORChunk(encoded: c.encodedBytes, bitCount: c.bitCount, count: c.count)?.encodedBytes == c.encodedBytes)
        return zip(times, values).map { Sample(t: $0, v: $1) }
    }

    @Test(arguments: [(0, 119), (30, 60), (-5, 0), (119, 500), (45, 45), (60, 59), (200, 300)])
    func bulkDecodingKeepsExactlyTheRequestedRange(first: Int64, last: Int64) {
        var c = XORChunk()
        for i in 0..<120 { c.append(t: Int64(i) * 1000, v: Double(i) / 7) }
        var times: [Int64] = [], values: [Double] = []
        #expect(c.appendSamples(mint: first * 1000, maxt: last * 1000, times: &times, values: &values))
        let expected = (0..<Int64(120)).filter { $0 >= first && $0 <= last }
        #expect(times == expected.map { $0 * 1000 })
        #expect(values == expected.map { Double($0) / 7 })
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

    @Test(arguments: [5, 6, 7, 8])
    func decodingFromCheckpointsAgreesWithDecodingFromTheStart(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var c = XORChunk()
        var samples: [Sample] = []
        var t: Int64 = 1_700_000_000_000
        for i in 0..<Int(rng.next() % 200) + 1 {
            t += i % 17 == 0 ? Int64(rng.next() % 1_000_000) + 1 : 15_000
            // Runs of repeated values, small steps and random bit patterns: every XOR case.
            let v = i % 5 == 0 ? Double(bitPattern: rng.next()) : Double(i / 3) * 0.25
            c.append(t: t, v: v)
            samples.append(Sample(t: t, v: v))
        }
        #expect(c.checkpoints.count == (samples.count - 1) / XORChunk.checkpointInterval)
        for _ in 0..<200 {
            let a = samples[Int(rng.next() % UInt64(samples.count))].t + Int64(rng.next() % 3) - 1
            let b = a + Int64(rng.next() % 3_000_000)
            var times: [Int64] = [], values: [Double] = []
            #expect(c.appendSamples(mint: a, maxt: b, times: &times, values: &values))
            let expected = samples.filter { $0.t >= a && $0.t <= b }
            #expect(zip(times, values).map { Sample(t: $0, v: $1) } == expected, "range \(a)...\(b)")
        }
        #expect(c.lastSample == samples.last)
        c.dropCheckpoints()
        #expect(c.checkpoints.isEmpty)
        var times: [Int64] = [], values: [Double] = []
        #expect(c.appendSamples(mint: .min, maxt: .max, times: &times, values: &values))
        #expect(times == samples.map(\.t))
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

    @Test func corruptBytesEndDecodingWithoutTrapping() {
        var c = XORChunk()
        for i in 0..<50 { c.append(t: Int64(i) * 1000, v: Double(i) * 1.5) }
        var bytes = c.encodedBytes
        bytes.removeLast(bytes.count / 2)
        #expect(XORChunk(encoded: bytes, bitCount: bytes.count * 8, count: 50) == nil)
        var times: [Int64] = [], values: [Double] = []
        #expect(!XORChunk.appendSamples(encoded: bytes, bitCount: bytes.count * 8, count: 50, mint: .min, maxt: .max,
                                        times: &times, values: &values))
        #expect(times.count < 50)
    }

    @Test(arguments: [11, 12, 13])
    func bulkDecodingRandomBytesNeverTraps(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var times: [Int64] = [], values: [Double] = []
            _ = XORChunk.appendSamples(encoded: bytes, bitCount: bytes.count * 8, count: Int(rng.next() % 200) + 1,
                                       mint: .min, maxt: .max, times: &times, values: &values)
            #expect(times.count == values.count)
        }
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
