/// Moving full chunks out of the heap: written to the head chunk files and read from there in
/// place, so the head's memory holds each series' open chunk, not hours of closed ones.
extension Head {
    /// Writes every closed chunk still on the heap to `files` and swaps in its compact mapped
    /// form. The head's lock is held only to collect the chunks and to swap them: the write
    /// happens between, while commits and queries go on. Returns the chunks moved.
    @discardableResult
    func mapFullChunks(to files: HeadChunkFiles) throws(StorageIOError) -> Int {
        let collected: [(slot: Int, ref: SeriesRef, chunk: HeadFileChunk)] = withState { s in
            var out: [(slot: Int, ref: SeriesRef, chunk: HeadFileChunk)] = []
            var seen = Set<Int>()
            for slot in s.unmappedSlots where seen.insert(slot).inserted {
                guard slot < s.series.count, let series = s.series[slot] else { continue }
                // Closed chunks on the heap are the ones before the open one of each kind.
                let heap = series.chunks
                for i in heap.indices.dropLast() where !heap[i].isMapped && heap[i].count > 0 {
                    out.append((slot, series.ref, .float(heap[i])))
                }
                for c in series.histogramChunks.dropLast() where !c.isMapped && c.count > 0 {
                    out.append((slot, series.ref, .histogram(c)))
                }
                for c in series.floatHistogramChunks.dropLast() where !c.isMapped && c.count > 0 {
                    out.append((slot, series.ref, .floatHistogram(c)))
                }
            }
            s.unmappedSlots.removeAll(keepingCapacity: true)
            return out
        }
        guard !collected.isEmpty else { return 0 }
        let written: [HeadFileChunk]
        do {
            written = try files.write(collected.map { ($0.ref, $0.chunk) })
        } catch {
            // Still on the heap: tried again next time.
            withState { s in s.unmappedSlots.append(contentsOf: collected.map(\.slot)) }
            throw error
        }
        return withState { s in
            var moved = 0
            for (entry, chunk) in zip(collected, written) {
                // The series may have been dropped, or the chunk truncated or rewritten (a deletion)
                // meanwhile: only the same chunk (for floats, still the oldest on the heap) moves.
                guard Self.liveSlot(of: entry.ref, in: s) == entry.slot, s.series[entry.slot]?.swapIn(written: chunk) == true else { continue }
                moved += 1
            }
            return moved
        }
    }

    /// Bytes of the head's chunks in each head chunk file, by file number.
    func liveMappedBytesByFile() -> [Int: Int] {
        withState { s in
            var bytes: [Int: Int] = [:]
            for i in s.series.indices {
                s.series[i]?.forEachMappedRecord { file, size in bytes[file, default: 0] += size }
            }
            return bytes
        }
    }

    /// Brings every chunk in `files` (and the newer mapped chunks of the same series) back to the
    /// heap, to be mapped again into the current file; returns how many came back.
    func unmapChunks(inFiles files: Set<Int>) -> Int {
        guard !files.isEmpty else { return 0 }
        return withState { s in
            var moved = 0
            for i in s.series.indices {
                guard let n = s.series[i]?.unmapChunks(inFiles: files), n > 0 else { continue }
                moved += n
                s.unmappedSlots.append(i)
            }
            return moved
        }
    }
}
