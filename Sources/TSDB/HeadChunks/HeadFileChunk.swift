/// A chunk of any of the three encodings a head chunk file record may hold: float samples (XOR,
/// encoding 1), integer native histograms (2) and float native histograms (3). The files, the
/// head's chunk mapping and snapshots' references deal in these; everything else keeps the
/// concrete chunk types.
package enum HeadFileChunk: Sendable {
    case float(XORChunk)
    case histogram(HistogramChunk)
    case floatHistogram(FloatHistogramChunk)

    /// The encoding byte of the record.
    var encoding: UInt8 {
        switch self {
        case .float: ChunkSegmentWriter.xorEncoding
        case .histogram: HistogramChunk.encoding
        case .floatHistogram: FloatHistogramChunk.encoding
        }
    }

    var minTime: Int64 {
        switch self {
        case .float(let c): c.minTime
        case .histogram(let c): c.minTime
        case .floatHistogram(let c): c.minTime
        }
    }

    var maxTime: Int64 {
        switch self {
        case .float(let c): c.maxTime
        case .histogram(let c): c.maxTime
        case .floatHistogram(let c): c.maxTime
        }
    }

    var count: Int {
        switch self {
        case .float(let c): c.count
        case .histogram(let c): c.count
        case .floatHistogram(let c): c.count
        }
    }

    /// Prometheus' chunk data, as the record holds it.
    var prometheusData: [UInt8] {
        switch self {
        case .float(let c): c.prometheusData
        case .histogram(let c): c.prometheusData
        case .floatHistogram(let c): c.prometheusData
        }
    }

    /// Bytes of the chunk data before the bit stream: the sample count, and for histograms the
    /// header byte.
    var headerBytes: Int {
        switch self {
        case .float: 2
        case .histogram, .floatHistogram: 3
        }
    }

    /// Where the chunk's bits live when they are in a mapped file.
    var mapped: MappedChunkBytes? {
        switch self {
        case .float(let c): c.mapped
        case .histogram(let c): c.mapped
        case .floatHistogram(let c): c.mapped
        }
    }

    /// The same chunk with its bits at `bytes` (just written there).
    func moved(to bytes: MappedChunkBytes) -> HeadFileChunk {
        switch self {
        case .float(let c): .float(c.moved(to: bytes))
        case .histogram(let c): .histogram(c.moved(to: bytes))
        case .floatHistogram(let c): .floatHistogram(c.moved(to: bytes))
        }
    }

    /// The chunk a record holds, read in place from `file` (nothing copied or decoded); nil for
    /// an unknown encoding or data too short for its header.
    init?(encoding: UInt8, data: UnsafeRawBufferPointer, in file: MappedFile, minTime: Int64, maxTime: Int64, headReference: UInt64) {
        switch encoding {
        case ChunkSegmentWriter.xorEncoding:
            guard let c = XORChunk(prometheusData: data, in: file, minTime: minTime, maxTime: maxTime, headReference: headReference) else { return nil }
            self = .float(c)
        case HistogramChunk.encoding:
            guard let c = HistogramChunk(prometheusData: data, in: file, minTime: minTime, maxTime: maxTime, headReference: headReference) else { return nil }
            self = .histogram(c)
        case FloatHistogramChunk.encoding:
            guard let c = FloatHistogramChunk(prometheusData: data, in: file, minTime: minTime, maxTime: maxTime, headReference: headReference) else {
                return nil
            }
            self = .floatHistogram(c)
        default:
            return nil
        }
    }

    /// Whether a record may hold chunks of this encoding.
    static func isKnown(encoding: UInt8) -> Bool {
        encoding == ChunkSegmentWriter.xorEncoding || encoding == HistogramChunk.encoding || encoding == FloatHistogramChunk.encoding
    }
}
