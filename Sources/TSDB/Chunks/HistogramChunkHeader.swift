import MetricModel

/// The third byte of a histogram chunk: its top two bits say what is known about a counter
/// reset between the previous chunk and this one (`10` reset, `01` none, `11` a gauge
/// histogram, `00` unknown). The other bits are unused.
enum HistogramChunkHeader {
    static func byte(for hint: HistogramCounterResetHint) -> UInt8 {
        switch hint {
        case .unknown: return 0
        case .counterReset: return 0b1000_0000
        case .notCounterReset: return 0b0100_0000
        case .gauge: return 0b1100_0000
        }
    }

    static func hint(from byte: UInt8) -> HistogramCounterResetHint {
        switch byte & 0b1100_0000 {
        case 0b1000_0000: return .counterReset
        case 0b0100_0000: return .notCounterReset
        case 0b1100_0000: return .gauge
        default: return .unknown
        }
    }

    /// The hint of the sample at `index` of a chunk with this header: the first carries the
    /// chunk's; later ones follow without a reset (a reset cuts a new chunk), or are gauges.
    static func hint(forSampleAt index: Int, header: HistogramCounterResetHint) -> HistogramCounterResetHint {
        if header == .gauge { return .gauge }
        return index == 0 ? header : .notCounterReset
    }

    /// Chunk data as chunk files hold it: the sample count (big-endian 16 bits), the header
    /// byte, then the bits zero-padded to a byte.
    static func frame(count: Int, header: HistogramCounterResetHint, bits: [UInt8]) -> [UInt8] {
        let n = UInt16(clamping: count)
        return [UInt8(n >> 8), UInt8(n & 0xFF), byte(for: header)] + bits
    }

    /// The parts of framed chunk data (the bits copied); nil when the data cannot hold the header.
    static func unframe(_ data: UnsafeRawBufferPointer) -> (count: Int, header: HistogramCounterResetHint, bits: BitWriter)? {
        guard data.count >= 3 else { return nil }
        return (Int(data[0]) << 8 | Int(data[1]), hint(from: data[2]), BitWriter(bytes: Array(data[3...]), free: 0))
    }

    /// The parts of framed chunk data lying inside `file`'s mapping, the bits left in place; nil
    /// when the data cannot hold the header or is not inside the mapping.
    static func mappedBits(of data: UnsafeRawBufferPointer, in file: MappedFile,
                           headReference: UInt64?) -> (count: Int, header: HistogramCounterResetHint, bits: MappedChunkBytes)? {
        guard data.count >= 3, let start = data.baseAddress, let base = file.bytes.baseAddress else { return nil }
        let offset = base.distance(to: start)
        guard offset >= 0, offset + data.count <= file.count else { return nil }
        let bits = MappedChunkBytes(file: file, offset: offset + 3, count: data.count - 3, headReference: headReference)
        return (Int(data[0]) << 8 | Int(data[1]), hint(from: data[2]), bits)
    }
}
