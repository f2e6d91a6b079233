import MetricModel

/// Writes a block from series held in memory (a range cut from the head).
package enum BlockWriter {
    /// One series of the block: its labels and its chunks, oldest first, inside the block's range.
    package struct Series {
        package var labels: Labels
        package var chunks: [XORChunk]
        package var histogramChunks: [HistogramChunk]
        package var floatHistogramChunks: [FloatHistogramChunk]

        package init(labels: Labels, chunks: [XORChunk], histogramChunks: [HistogramChunk] = [], floatHistogramChunks: [FloatHistogramChunk] = []) {
            self.labels = labels
            self.chunks = chunks
            self.histogramChunks = histogramChunks
            self.floatHistogramChunks = floatHistogramChunks
        }

        /// Every non-empty chunk of the three kinds as the block holds them, by start time.
        var encodedChunks: [BlockBuilder.EncodedChunk] {
            var out = chunks.filter { $0.count > 0 }.map(BlockBuilder.EncodedChunk.init)
            guard !histogramChunks.isEmpty || !floatHistogramChunks.isEmpty else { return out }
            for c in histogramChunks where c.count > 0 { out.append(BlockBuilder.EncodedChunk(c)) }
            for c in floatHistogramChunks where c.count > 0 { out.append(BlockBuilder.EncodedChunk(c)) }
            return out.sorted { $0.minTime < $1.minTime }
        }
    }

    static let temporarySuffix = BlockBuilder.temporarySuffix

    /// Writes `series` (any order) as a block covering `[minTime, maxTime)` under `directory`;
    /// returns its ULID, or nil when there is not one sample to write.
    package static func write(_ series: [Series], minTime: Int64, maxTime: Int64, into directory: String, nowMs: Int64,
                      compaction: BlockMeta.Compaction? = nil) throws(StorageIOError) -> BlockULID? {
        let nonEmpty = series.filter { $0.chunks.contains { $0.count > 0 } || $0.histogramChunks.contains { $0.count > 0 } || $0.floatHistogramChunks.contains { $0.count > 0 } }
            .sorted { IndexWriter.bytewiseLess($0.labels, $1.labels) }
        guard !nonEmpty.isEmpty else { return nil }
        var symbols = Set<String>()
        for s in nonEmpty {
            for l in s.labels.pairs { symbols.insert(l.name); symbols.insert(l.value) }
        }
        var builder = try BlockBuilder(directory: directory, symbols: symbols, nowMs: nowMs)
        do throws(StorageIOError) {
            for s in nonEmpty {
                try builder.add(s.labels, chunks: s.encodedChunks)
            }
        } catch {
            builder.abandon()
            throw error
        }
        _ = try builder.finish(minTime: minTime, maxTime: maxTime, compaction: compaction)
        return builder.ulid
    }
}
