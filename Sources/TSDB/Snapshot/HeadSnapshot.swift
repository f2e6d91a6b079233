import Dispatch
import Foundation
import MetricModel
import Synchronization

/// A checkpoint of the head: every series with its compressed chunks, covering all WAL segments
/// numbered below ``firstSegmentAfter``. Replay loads it and then only the newer segments.
///
/// File: magic, then one framed entry per series (length, CRC-32C, payload), then a frame holding
/// the symbol table, then a trailer entry holding the series count, so a truncated file is
/// detected. A series entry names its labels by their index in the symbol table (each string is
/// written, and read, once however many series carry it). Each chunk is a kind byte, then
/// either its bits (kind 0: sample count, bit count, bytes) or, for a chunk already in a head
/// chunk file, that file's reference to it (kind 1), so the snapshot holds only open chunks.
/// Native histogram chunks (kind 2 integer, kind 3 float counts) follow as their time range and
/// Prometheus' chunk data, or, once in a head chunk file, as that file's reference (kind 4; the
/// record says which of the two it is); a reader that predates a kind refuses the file as
/// damaged rather than losing chunks silently. Version 2 files (labels as strings in each entry,
/// no symbol frame) and version 1 files (also bits only, no kind byte) are still read.
package struct HeadSnapshot {
    static let magic = Array("VIGILSNAP3\n".utf8)
    static let magicVersion2 = Array("VIGILSNAP2\n".utf8)
    static let magicVersion1 = Array("VIGILSNAP1\n".utf8)
    static let inlineChunk: UInt8 = 0
    static let mappedChunk: UInt8 = 1
    static let histogramChunk: UInt8 = 2
    static let floatHistogramChunk: UInt8 = 3
    static let mappedHistogramChunk: UInt8 = 4
    static let filePrefix = "snapshot."

    package struct Entry {
        package var ref: SeriesRef
        package var labels: Labels
        package var chunks: [XORChunk]
        package var histogramChunks: [HistogramChunk] = []
        package var floatHistogramChunks: [FloatHistogramChunk] = []

        package init(ref: SeriesRef, labels: Labels, chunks: [XORChunk], histogramChunks: [HistogramChunk] = [],
                     floatHistogramChunks: [FloatHistogramChunk] = []) {
            self.ref = ref
            self.labels = labels
            self.chunks = chunks
            self.histogramChunks = histogramChunks
            self.floatHistogramChunks = floatHistogramChunks
        }
    }

    static func fileName(_ segment: Int) -> String { filePrefix + WAL.segmentName(segment) }

    static func segment(ofFile name: String) -> Int? {
        guard name.hasPrefix(filePrefix) else { return nil }
        let rest = name.dropFirst(filePrefix.count)
        return rest.count == 8 ? Int(rest) : nil
    }

    /// Builds a snapshot file's bytes one series at a time, each framed in place (no entry
    /// values, no buffer per series): the head encodes itself straight into it under its lock.
    struct Encoder {
        private(set) var out = ByteWriter()
        private(set) var seriesCount = 0
        /// The symbol table written at the end: the head's strings by id, then those of series
        /// added as ``Labels``.
        private var symbols: [String]
        private var symbolIDs: [String: UInt32] = [:]

        /// An encoder whose interned series use ids into `symbols` (the head's strings by id).
        init(expectedBytes: Int = 0, symbols: [String] = []) {
            out.bytes.reserveCapacity(expectedBytes)
            out.bytes.append(contentsOf: magic)
            self.symbols = symbols
        }

        /// One series: reference, labels (ids into the symbols the encoder was made with), then
        /// its chunks (mapped ones, oldest, by reference).
        mutating func add(ref: SeriesRef, labels: InternedLabels, mapped: [MappedHeadChunk], heap: ArraySlice<XORChunk>,
                          histograms: [HistogramChunk] = [], floatHistograms: [FloatHistogramChunk] = []) {
            let frameStart = beginFrame()
            out.uvarint(ref)
            out.uvarint(UInt64(labels.count))
            labels.ids.withUnsafeBufferPointer { for id in $0 { out.uvarint(UInt64(id)) } }
            out.uvarint(UInt64(mapped.count + heap.count + histograms.count + floatHistograms.count))
            for c in mapped {
                out.bytes.append(mappedChunk)
                out.uvarint(c.reference)
            }
            for i in heap.indices { add(heap[i]) }
            for c in histograms { add(c, kind: histogramChunk) }
            for c in floatHistograms { add(c, kind: floatHistogramChunk) }
            endFrame(frameStart)
            seriesCount += 1
        }

        /// One series from a list of chunks (a mapped chunk in a head chunk file goes by reference).
        mutating func add(ref: SeriesRef, labels: Labels, chunks: [XORChunk], histograms: [HistogramChunk] = [],
                          floatHistograms: [FloatHistogramChunk] = []) {
            let frameStart = beginFrame()
            addSeries(ref: ref, labels: labels, chunkCount: chunks.count + histograms.count + floatHistograms.count)
            for c in chunks { add(c) }
            for c in histograms { add(c, kind: histogramChunk) }
            for c in floatHistograms { add(c, kind: floatHistogramChunk) }
            endFrame(frameStart)
            seriesCount += 1
        }

        /// A series entry's start: reference, labels (as ids, new strings added to the symbols),
        /// and how many chunks follow.
        private mutating func addSeries(ref: SeriesRef, labels: Labels, chunkCount: Int) {
            out.uvarint(ref)
            out.uvarint(UInt64(labels.count))
            for l in labels.pairs {
                out.uvarint(UInt64(symbolID(l.name)))
                out.uvarint(UInt64(symbolID(l.value)))
            }
            out.uvarint(UInt64(chunkCount))
        }

        private mutating func symbolID(_ string: String) -> UInt32 {
            if let id = symbolIDs[string] { return id }
            let id = UInt32(truncatingIfNeeded: symbols.count)
            symbols.append(string)
            symbolIDs[string] = id
            return id
        }

        private mutating func add(_ c: XORChunk) {
            if let reference = c.mapped?.headReference {
                out.bytes.append(mappedChunk)
                out.uvarint(reference)
                return
            }
            out.bytes.append(inlineChunk)
            out.uvarint(UInt64(c.count))
            out.uvarint(UInt64(c.bitCount))
            out.uvarint(UInt64(c.byteCount))
            c.withEncodedBytes { out.bytes.append(contentsOf: $0) }
        }

        /// A histogram chunk: its kind, time range and Prometheus' chunk data; by reference when it
        /// is in a head chunk file.
        private mutating func add<C: HistogramChunkEncoding>(_ c: C, kind: UInt8) {
            if let reference = c.mapped?.headReference {
                out.bytes.append(mappedHistogramChunk)
                out.uvarint(reference)
                return
            }
            out.bytes.append(kind)
            out.varint(c.minTime)
            out.varint(c.maxTime)
            out.blob(c.prometheusData)
        }

        /// Room for the frame's length and CRC, filled in by ``endFrame(_:)``.
        private mutating func beginFrame() -> Int {
            let start = out.bytes.count
            out.u32(0)
            out.u32(0)
            return start
        }

        private mutating func endFrame(_ start: Int) {
            let payload = start + 8
            let length = UInt32(truncatingIfNeeded: out.bytes.count - payload)
            let crc = out.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[payload...])) }
            for i in 0..<4 {
                out.bytes[start + i] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(i)))
                out.bytes[start + 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))
            }
        }

        /// The file's bytes: every series, the symbol table, then the trailer holding the series count.
        mutating func finish() -> [UInt8] {
            let symbolFrame = beginFrame()
            out.uvarint(UInt64(symbols.count))
            for string in symbols { out.string(string) }
            endFrame(symbolFrame)
            let frameStart = beginFrame()
            out.u64(UInt64(seriesCount))
            endFrame(frameStart)
            return out.bytes
        }
    }

    /// Writes entries to `path` atomically (temporary file, fsync, rename, directory fsync).
    static func write(_ entries: [Entry], to path: String, directory: String) throws(StorageIOError) {
        var encoder = Encoder(expectedBytes: entries.reduce(64) { $0 + 32 + $1.chunks.reduce(0) { $0 + $1.byteCount + 8 } })
        for e in entries {
            encoder.add(ref: e.ref, labels: e.labels, chunks: e.chunks, histograms: e.histogramChunks, floatHistograms: e.floatHistogramChunks)
        }
        try write(encoder.finish(), to: path, directory: directory)
    }

    /// Writes a snapshot file's bytes to `path` atomically: a temporary file, renamed into place.
    /// `durable` fsyncs the file and the directory first; without it (at shutdown, where the WAL
    /// and the previous snapshot already hold everything) a crash may leave a damaged file, which
    /// replay detects and skips for the previous one.
    static func write(_ bytes: [UInt8], to path: String, directory: String, durable: Bool = true) throws(StorageIOError) {
        let tmp = path + ".tmp"
        let fd = try PosixFile.openForWrite(tmp)
        do {
            try PosixFile.writeAll(fd, bytes, path: tmp)
            if durable { try PosixFile.sync(fd, path: tmp) }
        } catch {
            PosixFile.closeFile(fd)
            PosixFile.remove(tmp)
            throw error
        }
        PosixFile.closeFile(fd)
        try PosixFile.rename(tmp, path)
        if durable { PosixFile.syncDirectory(directory) }
    }

    /// Errors that make a snapshot unusable.
    struct Invalid: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// Reads a snapshot, validating every frame and chunk; `resolve` finds the chunks it names in
    /// head chunk files (nil: that chunk is missing and left out, and counted).
    static func read(_ path: String, resolve: @Sendable (UInt64) -> HeadFileChunk? = { _ in nil }) throws -> (entries: [Entry], missingChunks: Int) {
        try decodeCounting(try PosixFile.readAll(path), resolve: resolve)
    }

    /// Decodes a snapshot file's bytes, validating every frame and chunk.
    package static func decode(_ bytes: [UInt8], resolve: @Sendable (UInt64) -> HeadFileChunk? = { _ in nil }) throws -> [Entry] {
        try decodeCounting(bytes, resolve: resolve).entries
    }

    /// Series frames decoded on one thread below this many; above, the frames are split among
    /// the processors (a large head's start is mostly this decoding).
    static let framesPerThread = 8_192

    /// Decodes a snapshot: the frames are found first (lengths, bounds, the trailer's count),
    /// then decoded, in parallel for a large snapshot, and their CRCs checked.
    static func decodeCounting(_ bytes: [UInt8], resolve: @Sendable (UInt64) -> HeadFileChunk?) throws -> (entries: [Entry], missingChunks: Int) {
        let version1 = bytes.starts(with: magicVersion1)
        let version2 = bytes.starts(with: magicVersion2)
        guard version1 || version2 || bytes.starts(with: magic) else { throw Invalid(reason: "bad magic") }
        // (payload start, payload length, stored CRC) of every series frame.
        var frames: [(start: Int, length: Int, crc: UInt32)] = []
        var r = ByteReader(bytes, from: magic.count)
        while true {
            guard let length = r.u32(), let crc = r.u32() else { throw Invalid(reason: "truncated frame header") }
            let start = r.offset
            guard Int(length) <= bytes.count - start else { throw Invalid(reason: "truncated frame") }
            r = ByteReader(bytes, from: start + Int(length))
            if r.atEnd {
                // The trailer: the number of series entries written.
                guard CRC32C.matches(crc, CRC32C.checksum(bytes[start..<start + Int(length)])) else {
                    throw Invalid(reason: "checksum mismatch at offset \(start)")
                }
                var p = ByteReader(bytes, from: start, to: start + Int(length))
                let seriesFrames = version1 || version2 ? frames.count : frames.count - 1
                guard let n = p.u64(), n == UInt64(seriesFrames) else { throw Invalid(reason: "trailer count mismatch") }
                break
            }
            frames.append((start, Int(length), crc))
        }
        // Version 3: the frame before the trailer is the symbol table the series name.
        var symbolFrame: (start: Int, length: Int, crc: UInt32)?
        if !version1, !version2 {
            guard let frame = frames.popLast() else { throw Invalid(reason: "no symbol table") }
            symbolFrame = frame
        }
        let symbols = try symbolFrame.map { try decodeSymbols($0, of: bytes) }
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, frames.count / framesPerThread))
        guard parts > 1 else { return try decodeFrames(frames[...], of: bytes, version1: version1, symbols: symbols, resolve: resolve) }
        let results = Mutex<[Int: Result<(entries: [Entry], missingChunks: Int), any Error>]>([:])
        let perPart = (frames.count + parts - 1) / parts
        let allFrames = frames
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = part * perPart..<min(allFrames.count, (part + 1) * perPart)
            let result = Result { try decodeFrames(allFrames[range], of: bytes, version1: version1, symbols: symbols, resolve: resolve) }
            results.withLock { $0[part] = result }
        }
        var entries: [Entry] = []
        entries.reserveCapacity(frames.count)
        var missing = 0
        for part in 0..<parts {
            guard let result = results.withLock({ $0[part] }) else { throw Invalid(reason: "a part of the snapshot was not decoded") }
            let decoded = try result.get()
            entries += decoded.entries
            missing += decoded.missingChunks
        }
        return (entries, missing)
    }

    /// The symbol table frame: its string count, then the strings by id.
    private static func decodeSymbols(_ frame: (start: Int, length: Int, crc: UInt32), of bytes: [UInt8]) throws -> [String] {
        let end = frame.start + frame.length
        guard CRC32C.matches(frame.crc, CRC32C.checksum(bytes[frame.start..<end])) else {
            throw Invalid(reason: "checksum mismatch at offset \(frame.start)")
        }
        var p = ByteReader(bytes, from: frame.start, to: end)
        // Each string takes at least its length byte, so a count above the frame's size is damage.
        guard let count = p.uvarint(), count <= UInt64(frame.length) else { throw Invalid(reason: "bad symbol table") }
        var symbols: [String] = []
        symbols.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let string = p.string() else { throw Invalid(reason: "bad symbol") }
            symbols.append(string)
        }
        guard p.atEnd else { throw Invalid(reason: "trailing bytes in the symbol table") }
        return symbols
    }

    /// Decodes series frames, each checked against its CRC; labels are ids into `symbols` when
    /// given (version 3), strings otherwise.
    private static func decodeFrames(_ frames: ArraySlice<(start: Int, length: Int, crc: UInt32)>, of bytes: [UInt8], version1: Bool,
                                     symbols: [String]?, resolve: (UInt64) -> HeadFileChunk?) throws -> (entries: [Entry], missingChunks: Int) {
        var entries: [Entry] = []
        entries.reserveCapacity(frames.count)
        var missing = 0
        for frame in frames {
            let end = frame.start + frame.length
            guard CRC32C.matches(frame.crc, CRC32C.checksum(bytes[frame.start..<end])) else {
                throw Invalid(reason: "checksum mismatch at offset \(frame.start)")
            }
            var p = ByteReader(bytes, from: frame.start, to: end)
            guard let ref = p.uvarint(), let lc = p.uvarint(), lc < 10_000 else { throw Invalid(reason: "bad series entry") }
            var pairs: [Label] = []
            pairs.reserveCapacity(Int(lc))
            for _ in 0..<lc {
                if let symbols {
                    guard let n = p.uvarint(), let v = p.uvarint(), n < UInt64(symbols.count), v < UInt64(symbols.count) else {
                        throw Invalid(reason: "bad label")
                    }
                    pairs.append(Label(symbols[Int(n)], symbols[Int(v)]))
                } else {
                    guard let n = p.string(), let v = p.string() else { throw Invalid(reason: "bad label") }
                    pairs.append(Label(n, v))
                }
            }
            guard let cc = p.uvarint(), cc < 1 << 24 else { throw Invalid(reason: "bad chunk count") }
            var chunks: [XORChunk] = []
            var histograms: [HistogramChunk] = [], floatHistograms: [FloatHistogramChunk] = []
            for _ in 0..<cc {
                let kind = version1 ? inlineChunk : p.u8()
                if kind == histogramChunk || kind == floatHistogramChunk {
                    guard let minTime = p.varint(), let maxTime = p.varint(), minTime <= maxTime, let blob = p.blob() else {
                        throw Invalid(reason: "bad histogram chunk")
                    }
                    let decoded = Array(blob).withUnsafeBytes { raw -> Bool in
                        if kind == histogramChunk, let c = HistogramChunk(prometheusData: raw, minTime: minTime, maxTime: maxTime) {
                            histograms.append(c)
                            return true
                        }
                        if kind == floatHistogramChunk, let c = FloatHistogramChunk(prometheusData: raw, minTime: minTime, maxTime: maxTime) {
                            floatHistograms.append(c)
                            return true
                        }
                        return false
                    }
                    guard decoded else { throw Invalid(reason: "bad histogram chunk") }
                    continue
                }
                if kind == mappedChunk || kind == mappedHistogramChunk {
                    guard let reference = p.uvarint() else { throw Invalid(reason: "bad chunk reference") }
                    // A chunk whose file is gone or damaged (or holds another kind of chunk there) is
                    // left out, and counted: losing it beats losing the whole snapshot.
                    switch (kind, resolve(reference)) {
                    case (mappedChunk, .float(let c)?): chunks.append(c)
                    case (mappedHistogramChunk, .histogram(let c)?): histograms.append(c)
                    case (mappedHistogramChunk, .floatHistogram(let c)?): floatHistograms.append(c)
                    default: missing += 1
                    }
                    continue
                }
                guard kind == inlineChunk, let count = p.uvarint(), let bits = p.uvarint(), let blob = p.blob(), count < 1 << 20, bits < 1 << 40,
                      let chunk = XORChunk(encoded: Array(blob), bitCount: Int(bits), count: Int(count)) else {
                    throw Invalid(reason: "bad chunk")
                }
                chunks.append(chunk)
            }
            guard p.atEnd else { throw Invalid(reason: "trailing bytes in a series entry") }
            entries.append(Entry(ref: ref, labels: Labels(pairs), chunks: chunks, histogramChunks: histograms, floatHistogramChunks: floatHistograms))
        }
        return (entries, missing)
    }
}
