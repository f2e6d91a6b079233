/// A full head chunk that lives in a head chunk file: 40 bytes in its series' list, where a chunk
/// on the heap costs its struct, its bits and their allocation. Read as an ``XORChunk`` in place.
struct MappedHeadChunk: Sendable {
    let file: MappedFile
    /// The chunk's record in the head chunk files (file number << 32 | record offset).
    let reference: UInt64
    let minTime: Int64
    let maxTime: Int64
    /// Where the bit stream starts in the file, and its length.
    let dataOffset: UInt32
    let byteCount: UInt16
    let sampleCount: UInt16

    /// The compact form of a chunk whose bits are in a head chunk file; nil for any other chunk
    /// (on the heap, in a block, or too large for the compact fields).
    init?(_ chunk: XORChunk) {
        guard let mapped = chunk.mapped, let reference = mapped.headReference,
              let offset = UInt32(exactly: mapped.offset), let bytes = UInt16(exactly: mapped.count),
              let samples = UInt16(exactly: chunk.count) else { return nil }
        file = mapped.file
        self.reference = reference
        minTime = chunk.minTime
        maxTime = chunk.maxTime
        dataOffset = offset
        byteCount = bytes
        sampleCount = samples
    }

    /// The number of the head chunk file holding it.
    var fileNumber: Int { Int(reference >> 32) }

    /// Bytes its record takes in the file (header, length, count, bits, CRC), near enough.
    var recordBytes: Int { HeadChunkFiles.recordHeaderSize + 2 + 2 + Int(byteCount) + 4 }

    /// The chunk, reading its bits from the file when decoded.
    var chunk: XORChunk {
        XORChunk(mapped: MappedChunkBytes(file: file, offset: Int(dataOffset), count: Int(byteCount), headReference: reference),
                 count: Int(sampleCount), minTime: minTime, maxTime: maxTime)
    }
}
