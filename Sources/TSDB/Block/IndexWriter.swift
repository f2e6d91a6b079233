import MetricModel

/// Builds a block's `index` file in Prometheus' format (version 2): symbol table, series (each
/// 16-byte aligned, its ID its offset / 16), label indices, postings, label offset table,
/// postings offset table and the table of contents. Fixed-width integers are big-endian and
/// every section ends with a CRC-32C of its contents.
struct IndexWriter {
    static let magic: UInt32 = 0xBAAA_D700
    static let version: UInt8 = 2

    /// Where one chunk of a series lives and the times of its first and last samples.
    struct ChunkMeta: Sendable, Equatable {
        var minTime: Int64
        var maxTime: Int64
        var ref: UInt64
    }

    private var out = ByteWriter()
    private var symbols: [String] = []
    private var symbolIndex: [String: UInt32] = [:]
    private var seriesStart = 0
    /// Series IDs by label name and value, in the order series are added (ascending IDs).
    private var postings: [String: [String: [UInt32]]] = [:]
    private var allSeries: [UInt32] = []
    private var lastLabels: Labels?

    /// Starts an index whose symbol table holds `symbols` (every label name and value of the
    /// series to come).
    init(symbols: Set<String>) {
        out.u32BE(Self.magic)
        out.bytes.append(Self.version)
        self.symbols = symbols.sorted(by: IndexWriter.bytewiseLess)
        for (i, s) in self.symbols.enumerated() { symbolIndex[s] = UInt32(i) }
        writeSymbols()
        out.pad(to: 16)
        seriesStart = out.bytes.count
    }

    /// Go's string order: byte by byte of the UTF-8.
    static func bytewiseLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// Label sets in the same byte order, name then value, pair by pair.
    static func bytewiseLess(_ a: Labels, _ b: Labels) -> Bool {
        for (x, y) in zip(a.pairs, b.pairs) {
            if x.name != y.name { return bytewiseLess(x.name, y.name) }
            if x.value != y.value { return bytewiseLess(x.value, y.value) }
        }
        return a.count < b.count
    }

    private mutating func writeSymbols() {
        var body = ByteWriter()
        body.u32BE(UInt32(symbols.count))
        for s in symbols { body.uvarintString(s) }
        out.u32BE(UInt32(body.bytes.count))
        out.bytes.append(contentsOf: body.bytes)
        out.u32BE(CRC32C.checksum(body.bytes))
    }

    /// Adds the next series; series must come in ascending label order, each with its chunks in
    /// time order. Fails when an ID would pass 32 bits (an index over 64 GiB).
    mutating func addSeries(_ labels: Labels, chunks: [ChunkMeta]) -> Bool {
        out.pad(to: 16)
        guard let id = UInt32(exactly: out.bytes.count / 16) else { return false }
        var body = ByteWriter()
        body.uvarint(UInt64(labels.count))
        for l in labels.pairs {
            body.uvarint(UInt64(symbolIndex[l.name] ?? 0))
            body.uvarint(UInt64(symbolIndex[l.value] ?? 0))
            postings[l.name, default: [:]][l.value, default: []].append(id)
        }
        body.uvarint(UInt64(chunks.count))
        var previous: ChunkMeta?
        for c in chunks {
            if let p = previous {
                body.uvarint(UInt64(bitPattern: c.minTime &- p.maxTime))
                body.uvarint(UInt64(bitPattern: c.maxTime &- c.minTime))
                body.varint(Int64(bitPattern: c.ref &- p.ref))
            } else {
                body.varint(c.minTime)
                body.uvarint(UInt64(bitPattern: c.maxTime &- c.minTime))
                body.uvarint(c.ref)
            }
            previous = c
        }
        out.uvarint(UInt64(body.bytes.count))
        out.bytes.append(contentsOf: body.bytes)
        out.u32BE(CRC32C.checksum(body.bytes))
        allSeries.append(id)
        return true
    }

    /// Writes the remaining sections and the table of contents; returns the file's bytes.
    mutating func finish() -> [UInt8] {
        let names = postings.keys.sorted(by: Self.bytewiseLess)
        // Label indices: one per name, the sorted symbol references of its values. Prometheus no
        // longer reads them from version 2 indexes, but writes them; so do we.
        out.pad(to: 4)
        let labelIndicesStart = out.bytes.count
        var labelIndexOffsets: [(String, Int)] = []
        for name in names {
            out.pad(to: 4)
            labelIndexOffsets.append((name, out.bytes.count))
            let values = (postings[name] ?? [:]).keys.sorted(by: Self.bytewiseLess)
            var body = ByteWriter()
            body.u32BE(1)
            body.u32BE(UInt32(values.count))
            for v in values { body.u32BE(symbolIndex[v] ?? 0) }
            section(body.bytes)
        }
        // Postings: all series first (the empty name and value), then by name and value.
        out.pad(to: 4)
        let postingsStart = out.bytes.count
        var postingsOffsets: [(String, String, Int)] = []
        func writePostings(_ ids: [UInt32]) {
            var body = ByteWriter()
            body.u32BE(UInt32(ids.count))
            for id in ids { body.u32BE(id) }
            section(body.bytes)
        }
        out.pad(to: 4)
        postingsOffsets.append(("", "", out.bytes.count))
        writePostings(allSeries)
        for name in names {
            let byValue = postings[name] ?? [:]
            for value in byValue.keys.sorted(by: Self.bytewiseLess) {
                out.pad(to: 4)
                postingsOffsets.append((name, value, out.bytes.count))
                writePostings(byValue[value] ?? [])
            }
        }
        // Label offset table.
        let labelOffsetTable = out.bytes.count
        var body = ByteWriter()
        body.u32BE(UInt32(labelIndexOffsets.count))
        for (name, offset) in labelIndexOffsets {
            body.uvarint(1)
            body.uvarintString(name)
            body.uvarint(UInt64(offset))
        }
        section(body.bytes)
        // Postings offset table.
        let postingsOffsetTable = out.bytes.count
        body = ByteWriter()
        body.u32BE(UInt32(postingsOffsets.count))
        for (name, value, offset) in postingsOffsets {
            body.uvarint(2)
            body.uvarintString(name)
            body.uvarintString(value)
            body.uvarint(UInt64(offset))
        }
        section(body.bytes)
        // Table of contents.
        var toc = ByteWriter()
        toc.u64BE(5) // the symbol table follows the 5-byte header
        toc.u64BE(UInt64(seriesStart))
        toc.u64BE(UInt64(labelIndicesStart))
        toc.u64BE(UInt64(labelOffsetTable))
        toc.u64BE(UInt64(postingsStart))
        toc.u64BE(UInt64(postingsOffsetTable))
        out.bytes.append(contentsOf: toc.bytes)
        out.u32BE(CRC32C.checksum(toc.bytes))
        return out.bytes
    }

    /// A section: its length (4 bytes), contents, and their CRC-32C.
    private mutating func section(_ body: [UInt8]) {
        out.u32BE(UInt32(body.count))
        out.bytes.append(contentsOf: body)
        out.u32BE(CRC32C.checksum(body))
    }
}
