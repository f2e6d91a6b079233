/// The bit stream of a chunk that lives in a mapped file (a head chunk file or a block's chunk
/// segment) rather than on the heap. Holding it keeps the mapping alive, so a query that took a
/// chunk keeps reading valid bytes even after the file is deleted.
struct MappedChunkBytes: Sendable {
    let file: MappedFile
    /// Where the bit stream starts in the file, and its length.
    let offset: Int
    let count: Int
    /// The chunk's record in a head chunk file (`HeadChunkFiles.Reference`), by which snapshots
    /// name it; nil for a chunk in a block.
    let headReference: UInt64?

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: file.bytes[offset..<offset + count]) }
}

extension MappedChunkBytes: Hashable {
    static func == (a: MappedChunkBytes, b: MappedChunkBytes) -> Bool {
        a.count == b.count && a.bytes.elementsEqual(b.bytes)
    }

    func hash(into h: inout Hasher) { h.combine(count) }
}
