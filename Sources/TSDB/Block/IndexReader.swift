import MetricModel

/// Reads a block's mapped `index` file (Prometheus' format, version 2). The symbol table and the
/// postings offset table are loaded when the block opens; series and postings lists are read
/// from the mapping when a query asks for them.
struct IndexReader: Sendable {
    let file: MappedFile
    /// Every string of the block, by symbol reference.
    private let symbols: [String]
    /// For each label name, its values in order with the offset of their postings list.
    private let postingsTable: [String: [(value: String, offset: Int)]]
    /// The offset of the list of every series (the empty name and value).
    private let allPostingsOffset: Int?

    init(file: MappedFile) throws(BlockError) {
        self.file = file
        let bytes = file.bytes
        var header = MappedReader(bytes)
        guard header.u32BE() == IndexWriter.magic else { throw .corrupt(file.path, "not an index file (wrong magic number)") }
        guard let version = header.u8(), version == 2 else {
            throw .corrupt(file.path, "index format version is not 2 (only Prometheus 2.x indexes are read)")
        }
        // Table of contents: the last 52 bytes.
        guard bytes.count >= 5 + 52 else { throw .corrupt(file.path, "too short to hold a table of contents") }
        var toc = MappedReader(bytes, from: bytes.count - 52)
        var refs: [Int] = []
        for _ in 0..<6 {
            guard let r = toc.u64BE(), r < UInt64(bytes.count) else { throw .corrupt(file.path, "table of contents points past the file") }
            refs.append(Int(r))
        }
        guard CRC32C.matches(toc.u32BE(), CRC32C.checksum(bytes, bytes.count - 52..<bytes.count - 4)) else {
            throw .corrupt(file.path, "table of contents checksum mismatch")
        }
        symbols = try Self.readSymbols(bytes, at: refs[0], path: file.path)
        var table: [String: [(value: String, offset: Int)]] = [:]
        var all: Int?
        if refs[5] != 0 {
            guard let body = Self.section(bytes, at: refs[5]) else { throw .corrupt(file.path, "postings offset table is damaged") }
            var r = MappedReader(bytes, from: body.lowerBound, to: body.upperBound)
            guard let count = r.u32BE() else { throw .corrupt(file.path, "postings offset table is damaged") }
            for _ in 0..<count {
                guard r.uvarint() == 2, let name = r.uvarintString(), let value = r.uvarintString(),
                      let offset = r.uvarint(), offset < UInt64(bytes.count) else {
                    throw .corrupt(file.path, "postings offset table entry is damaged")
                }
                if name.isEmpty && value.isEmpty { all = Int(offset); continue }
                table[name, default: []].append((value, Int(offset)))
            }
        }
        postingsTable = table
        allPostingsOffset = all
    }

    /// The contents of the length-prefixed, checksummed section at `offset`; nil when damaged.
    static func section(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Range<Int>? {
        var r = MappedReader(bytes, from: offset)
        guard let length = r.u32BE(), Int(length) <= r.remaining - 4 else { return nil }
        let body = r.offset..<r.offset + Int(length)
        _ = r.skip(Int(length))
        guard CRC32C.matches(r.u32BE(), CRC32C.checksum(bytes, body)) else { return nil }
        return body
    }

    private static func readSymbols(_ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws(BlockError) -> [String] {
        guard offset != 0 else { return [] }
        guard let body = section(bytes, at: offset) else { throw .corrupt(path, "symbol table is damaged") }
        var r = MappedReader(bytes, from: body.lowerBound, to: body.upperBound)
        guard let count = r.u32BE(), Int(count) <= r.remaining else { throw .corrupt(path, "symbol table is damaged") }
        var out: [String] = []
        out.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let s = r.uvarintString() else { throw .corrupt(path, "symbol table holds a string that is not UTF-8 or runs past the table") }
            out.append(s)
        }
        return out
    }

    /// Every string of the block's symbol table.
    var symbolTable: [String] { symbols }

    // MARK: Labels and postings

    /// Every label name, sorted.
    var labelNames: [String] { postingsTable.keys.sorted() }

    /// The values of `name`, sorted.
    func values(of name: String) -> [String] { (postingsTable[name] ?? []).map(\.value) }

    /// The series IDs of the postings list at `offset`; nil when damaged.
    func postings(at offset: Int) -> [UInt32]? {
        guard let body = Self.section(file.bytes, at: offset) else { return nil }
        var r = MappedReader(file.bytes, from: body.lowerBound, to: body.upperBound)
        guard let count = r.u32BE(), Int(count) * 4 <= r.remaining else { return nil }
        var ids: [UInt32] = []
        ids.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let id = r.u32BE() else { return nil }
            ids.append(id)
        }
        return ids
    }

    /// IDs of every series.
    var allSeries: [UInt32] { allPostingsOffset.flatMap { postings(at: $0) } ?? [] }

    /// IDs of the series whose `matcher.name` label satisfies the matcher (for a matcher that
    /// rejects the empty value), ascending.
    func seriesMatching(_ matcher: LabelMatcher) -> [UInt32] {
        guard let entries = postingsTable[matcher.name] else { return [] }
        var lists: [[UInt32]] = []
        if let exact = matcher.exactValues {
            for value in exact {
                if let i = Self.find(value, in: entries), let ids = postings(at: entries[i].offset) { lists.append(ids) }
            }
        } else {
            for entry in entries where matcher.matches(entry.value) {
                if let ids = postings(at: entry.offset) { lists.append(ids) }
            }
        }
        if lists.count == 1 { return lists[0] }
        var merged = lists.flatMap { $0 }
        merged.sort()
        var unique: [UInt32] = []
        unique.reserveCapacity(merged.count)
        for id in merged where unique.last != id { unique.append(id) }
        return unique
    }

    /// Position of `value` among a name's values (stored in byte order).
    private static func find(_ value: String, in entries: [(value: String, offset: Int)]) -> Int? {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].value == value { return mid }
            if IndexWriter.bytewiseLess(entries[mid].value, value) { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Series IDs matching every matcher, by postings (matchers that accept an empty value are
    /// left for the caller to check on the labels).
    func candidates(_ matchers: [LabelMatcher]) -> [UInt32] {
        var result: [UInt32]?
        for m in matchers where !m.matchesEmpty {
            let ids = seriesMatching(m)
            result = result.map { Self.intersect($0, ids) } ?? ids
            if result?.isEmpty == true { return [] }
        }
        return result ?? allSeries
    }

    static func intersect(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] { out.append(a[i]); i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return out
    }

    // MARK: Series

    /// The labels and chunk references of series `id`; nil when the entry is damaged.
    func series(_ id: UInt32) -> (labels: Labels, chunks: [IndexWriter.ChunkMeta])? {
        let bytes = file.bytes
        var r = MappedReader(bytes, from: Int(id) * 16)
        guard let length = r.length(), r.remaining >= length + 4 else { return nil }
        let body = r.offset..<r.offset + length
        var s = MappedReader(bytes, from: body.lowerBound, to: body.upperBound)
        _ = r.skip(length)
        guard CRC32C.matches(r.u32BE(), CRC32C.checksum(bytes, body)) else { return nil }
        guard let labelCount = s.uvarint(), labelCount <= UInt64(length) else { return nil }
        var pairs: [Label] = []
        pairs.reserveCapacity(Int(labelCount))
        for _ in 0..<labelCount {
            guard let n = s.uvarint(), let v = s.uvarint(), n < UInt64(symbols.count), v < UInt64(symbols.count) else { return nil }
            pairs.append(Label(symbols[Int(n)], symbols[Int(v)]))
        }
        guard let chunkCount = s.uvarint(), chunkCount <= UInt64(length) else { return nil }
        var chunks: [IndexWriter.ChunkMeta] = []
        chunks.reserveCapacity(Int(chunkCount))
        var previous: IndexWriter.ChunkMeta?
        for _ in 0..<chunkCount {
            if let p = previous {
                guard let gap = s.uvarint(), let span = s.uvarint(), let refDelta = s.varint() else { return nil }
                let minTime = p.maxTime &+ Int64(bitPattern: gap)
                let c = IndexWriter.ChunkMeta(minTime: minTime, maxTime: minTime &+ Int64(bitPattern: span),
                                              ref: p.ref &+ UInt64(bitPattern: refDelta))
                chunks.append(c)
                previous = c
            } else {
                guard let minTime = s.varint(), let span = s.uvarint(), let ref = s.uvarint() else { return nil }
                let c = IndexWriter.ChunkMeta(minTime: minTime, maxTime: minTime &+ Int64(bitPattern: span), ref: ref)
                chunks.append(c)
                previous = c
            }
        }
        return (Labels(sorted: pairs), chunks)
    }
}
