/// Where decoding can resume inside a chunk. XOR chunks decode strictly forwards, so reading
/// the last five minutes of a two-hour chunk would otherwise decode all of it; the encoder knows
/// its full state at every sample and leaves one every ``XORChunk/checkpointInterval`` samples.
/// 32 bytes each, three per full chunk.
struct DecoderCheckpoint: Sendable, Hashable {
    /// Timestamp, value bits and timestamp delta of the sample before `index`.
    var t: Int64
    var value: UInt64
    var delta: Int64
    /// The bit at which sample `index` starts.
    var bitPosition: UInt32
    /// The first sample decoded from here.
    var index: UInt16
    /// The XOR window in force.
    var leading: UInt8
    var trailing: UInt8
}

extension XORChunk {
    /// Samples between checkpoints: at 120 samples a chunk, a read of its end decodes at most 30
    /// samples it does not need.
    static let checkpointInterval = 30

    /// The latest checkpoint whose preceding sample is older than `mint`: decoding from it skips
    /// only samples outside the range.
    func checkpoint(before mint: Int64) -> DecoderCheckpoint? {
        var best: DecoderCheckpoint?
        for c in checkpoints {
            guard c.t < mint else { break }
            best = c
        }
        return best
    }

    /// The newest sample: known without decoding in the head, decoded for a chunk from a block.
    public var lastSample: Sample? {
        guard count > 0 else { return nil }
        if tailKnown { return Sample(t: maxTime, v: Double(bitPattern: lastValue)) }
        var times: [Int64] = [], values: [Double] = []
        appendSamples(mint: .min, maxt: .max, times: &times, values: &values)
        guard let t = times.last, let v = values.last else { return nil }
        return Sample(t: t, v: v)
    }
}
