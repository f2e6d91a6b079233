import MetricModel

/// Native histogram samples in the head: each kind (integer, float counts) has its own chunks,
/// cut as Prometheus cuts them, with the header saying what is known about a counter reset since
/// the chunk before.
extension MemSeries {
    /// Most samples in a histogram chunk, as for float chunks.
    static let histogramChunkSamples = 120
    /// A histogram chunk of at least ``histogramChunkMinimumSamples`` is cut once it reaches this
    /// size: buckets make histogram samples large, and queries decode whole chunks.
    static let histogramChunkTargetBytes = 1024
    static let histogramChunkMinimumSamples = 10

    var hasHistograms: Bool { !histogramChunks.isEmpty || !floatHistogramChunks.isEmpty }
    var histogramMinTime: Int64 { min(histogramChunks.first?.minTime ?? .max, floatHistogramChunks.first?.minTime ?? .max) }
    var histogramMaxTime: Int64 { max(histogramChunks.last?.maxTime ?? .min, floatHistogramChunks.last?.maxTime ?? .min) }

    /// The newest sample when it is a histogram; nil when it is a float (or there is none).
    var lastHistogram: HistogramValue? {
        guard hasHistograms, histogramMaxTime > floatMaxTime else { return nil }
        if let integer = histogramChunks.last, integer.maxTime == histogramMaxTime { return integer.lastHistogram.map(HistogramValue.integer) }
        return floatHistogramChunks.last?.lastHistogram.map(HistogramValue.float)
    }

    /// Appends a histogram sample known to be newer than the newest sample of any kind. Returns
    /// true when that closed a chunk of its kind (which can now be written to a head chunk file).
    @discardableResult
    mutating func append(t: Int64, histogram value: HistogramValue, blockRange: Int64) -> Bool {
        let floatMax = floatMaxTime
        switch value {
        case .integer(let h):
            let newerThan = max(floatMax, floatHistogramChunks.last?.maxTime ?? .min)
            let before = histogramChunks.count
            Self.append(t: t, h, to: &histogramChunks, joiningOnlyAfter: newerThan, blockRange: blockRange)
            return before > 0 && histogramChunks.count > before
        case .float(let h):
            let newerThan = max(floatMax, histogramChunks.last?.maxTime ?? .min)
            let before = floatHistogramChunks.count
            Self.append(t: t, h, to: &floatHistogramChunks, joiningOnlyAfter: newerThan, blockRange: blockRange)
            return before > 0 && floatHistogramChunks.count > before
        }
    }

    /// A staleness marker in the kind of the newest histogram (the caller checked it is newer than
    /// the newest float).
    /// Returns true when it closed a chunk.
    mutating func appendHistogramStaleMarker(t: Int64, blockRange: Int64) -> Bool {
        if let integer = histogramChunks.last, integer.maxTime == histogramMaxTime {
            return append(t: t, histogram: .integer(.staleMarker), blockRange: blockRange)
        }
        return append(t: t, histogram: .float(.staleMarker), blockRange: blockRange)
    }

    /// Appends to the open chunk of one kind, or cuts a new one: when there is none, when it is
    /// not the series' newest chunk (`joiningOnlyAfter` is the newest time in chunks of the other
    /// kinds), when it is full or the sample is in the next block range, when a gauge follows a
    /// counter or the other way round, after a staleness marker, on a counter reset, and when the
    /// sample's schema, zero threshold or custom bounds differ from the chunk's.
    ///
    /// The new chunk's header: a counter reset when one is detected (or the producer says so);
    /// none when the chunk was cut only for its size or the block range; unknown otherwise (the
    /// series' first chunk, after a staleness marker, a layout change, the other kind).
    static func append<C: HistogramChunkEncoding>(t: Int64, _ sample: C.Histogram, to chunks: inout [C], joiningOnlyAfter newestOther: Int64,
                                                  blockRange: Int64) {
        var h = sample
        let stale = StaleNaN.isStale(h.sum)
        let last = chunks.count - 1
        let open = !chunks.isEmpty && chunks[last].maxTime > newestOther
        let previous = open ? chunks[last].lastHistogram : nil
        let previousIsGauge = open && chunks[last].header == .gauge
        let previousUsable = previous.map { !StaleNaN.isStale($0.sum) } ?? false
        var roomLeft = false
        if open {
            let c = chunks[last]
            let full = c.count >= histogramChunkSamples || (c.byteCount >= histogramChunkTargetBytes && c.count >= histogramChunkMinimumSamples)
            roomLeft = !full && t < BlockRange.end(of: c.minTime, range: blockRange)
        }
        if stale {
            // A marker joins any open chunk with room; a chunk it opens keeps the gauge header.
            if roomLeft, chunks[last].append(t: t, h) != .needsNewChunk { return }
            h.counterResetHint = previousIsGauge ? .gauge : .unknown
            openChunk(t: t, h, in: &chunks)
            return
        }
        let isGauge = h.counterResetHint == .gauge
        var reset = false
        if !isGauge {
            if h.counterResetHint == .counterReset {
                reset = true
            } else if h.counterResetHint != .notCounterReset, previousUsable, !previousIsGauge, let previous {
                reset = h.isCounterReset(after: previous)
            }
        }
        let sameKind = previousIsGauge == isGauge
        if roomLeft, sameKind, previousUsable, !reset {
            if chunks[last].append(t: t, h) != .needsNewChunk { return }
            // The layout changed (schema, zero threshold, bounds): nothing is known about a reset.
            h.counterResetHint = isGauge ? .gauge : .unknown
            openChunk(t: t, h, in: &chunks)
            return
        }
        if isGauge {
            h.counterResetHint = .gauge
        } else if reset {
            h.counterResetHint = .counterReset
        } else {
            h.counterResetHint = previousUsable && sameKind ? .notCounterReset : .unknown
        }
        openChunk(t: t, h, in: &chunks)
    }

    private static func openChunk<C: HistogramChunkEncoding>(t: Int64, _ h: C.Histogram, in chunks: inout [C]) {
        var chunk = C()
        _ = chunk.append(t: t, h)
        guard chunk.count > 0 else { return }
        chunks.append(chunk)
    }

    /// Drops the chunks of one kind that end before `mint`; returns the bytes freed.
    static func dropChunks<C: HistogramChunkEncoding>(endingBefore mint: Int64, from chunks: inout [C]) -> Int {
        var freed = 0, keepFrom = 0
        while keepFrom < chunks.count, chunks[keepFrom].maxTime < mint {
            freed += chunks[keepFrom].byteCount
            keepFrom += 1
        }
        if keepFrom > 0 { chunks.removeFirst(keepFrom) }
        return freed
    }

    /// Swaps `written` (a closed chunk just written to a head chunk file) in for its heap original:
    /// the unmapped chunk, not the open one, with the same start and count. False when it is not
    /// there any more (dropped, or rewritten by a deletion).
    static func swapIn<C: HistogramChunkEncoding>(_ written: C, into chunks: inout [C]) -> Bool {
        guard let i = chunks.indices.dropLast().first(where: {
            !chunks[$0].isMapped && chunks[$0].minTime == written.minTime && chunks[$0].count == written.count
        }) else { return false }
        chunks[i] = written
        return true
    }

    /// Brings the chunks of one kind that live in any of `files` back to the heap, in place (their
    /// bits copied; sealed, as before); returns how many.
    static func unmapHistogramChunks<C: HistogramChunkEncoding>(inFiles files: Set<Int>, in chunks: inout [C]) -> Int {
        var moved = 0
        for i in chunks.indices {
            guard let reference = chunks[i].mapped?.headReference, files.contains(Int(reference >> 32)) else { continue }
            let c = chunks[i]
            guard let copy = c.prometheusData.withUnsafeBytes({ C(prometheusData: $0, minTime: c.minTime, maxTime: c.maxTime) }) else { continue }
            chunks[i] = copy
            moved += 1
        }
        return moved
    }

    /// The file number and record size of a histogram chunk in a head chunk file.
    static func mappedRecord(_ m: MappedChunkBytes, _ body: (_ file: Int, _ bytes: Int) -> Void) {
        guard let reference = m.headReference else { return }
        // Header, length (at most 3 bytes for a chunk this size), count and header byte, bits, CRC.
        body(Int(reference >> 32), HeadChunkFiles.recordHeaderSize + 3 + 3 + m.count + 4)
    }

    /// The chunks of one kind that overlap `[mint, maxt]`, oldest first.
    static func chunks<C: HistogramChunkEncoding>(_ chunks: [C], overlapping mint: Int64, _ maxt: Int64) -> [C] {
        guard !chunks.isEmpty else { return [] }
        if chunks[0].minTime >= mint, chunks[chunks.count - 1].maxTime <= maxt { return chunks }
        return chunks.filter { $0.maxTime >= mint && $0.minTime <= maxt }
    }
}
