import MetricModel

/// Deleting series, as Prometheus' admin API does: tombstones in the blocks (applied on every read,
/// dropped for good by `cleanTombstones` or the next compaction) and the samples themselves in
/// the head, made durable by a snapshot.
extension Database {
    /// Deletes the samples in `[mint, maxt]` of every series matching any of the matcher sets.
    /// Returns how many blocks gained tombstones plus how many head series lost samples.
    @discardableResult
    public func deleteSeries(_ selectors: [[LabelMatcher]], mint: Int64, maxt: Int64) throws(StorageIOError) -> Int {
        guard mint <= maxt else { return 0 }
        var touched = 0
        for block in blocks where block.minTime <= maxt && block.maxTime > mint {
            var tombstones = block.tombstones
            var added = 0
            for matchers in selectors {
                for id in block.index.candidates(matchers) {
                    guard let entry = block.index.series(id), entry.labels.matches(matchers),
                          entry.chunks.contains(where: { $0.maxTime >= mint && $0.minTime <= maxt }) else { continue }
                    let range = max(mint, block.minTime)...min(maxt, block.maxTime - 1)
                    // Deleting again what is deleted changes nothing (retention rules ask each run).
                    guard !tombstones.covers(id, range) else { continue }
                    tombstones.add(id, range)
                    added += 1
                }
            }
            guard added > 0 else { continue }
            try tombstones.write(directory: block.directory)
            try replace(block)
            touched += 1
        }
        var headChanged = 0
        for matchers in selectors { headChanged += head.deleteSamples(matching: matchers, in: mint...maxt) }
        if headChanged > 0 { try checkpoint() }
        guard touched > 0 || headChanged > 0 else { return 0 }
        logger.info("deleted series", metadata: ["selectors": "\(selectors.count)", "blocks": "\(touched)", "head_series": "\(headChanged)"])
        return touched + headChanged
    }

    /// Rewrites every block that has tombstones without the deleted samples; returns how many.
    @discardableResult
    public func cleanTombstones() throws(StorageIOError) -> Int {
        var cleaned = 0
        for block in blocks where !block.tombstones.isEmpty {
            try rewrite(block)
            cleaned += 1
        }
        return cleaned
    }

    /// Rewrites the blocks where at least one series in twenty has tombstones (as Prometheus
    /// compacts a single block then), so deleted samples stop costing disk; returns how many.
    @discardableResult
    public func rewriteBlocksWithManyTombstones() throws(StorageIOError) -> Int {
        var rewritten = 0
        for block in blocks where !block.tombstones.isEmpty
            && UInt64(block.tombstones.intervals.count) * 20 >= max(1, block.meta.stats.numSeries) {
            try rewrite(block)
            rewritten += 1
        }
        return rewritten
    }

    /// Applies each retention rule: deletes what its selector matches up to its cut-off.
    public func applyRetentionRules() throws(StorageIOError) {
        let rules = options.retentionRules
        guard !rules.isEmpty else { return }
        let newest = max(head.maxTime, blocks.map { $0.maxTime - 1 }.max() ?? .min)
        guard newest != .min else { return }
        for rule in rules {
            guard let through = rule.deleteThrough(newest: newest, granularity: options.blockRangeMs) else { continue }
            if try deleteSeries([rule.matchers], mint: .min, maxt: through) > 0 {
                logger.info("retention rule applied", metadata: ["rule": "\(rule)", "deleted_through": "\(through)"])
            }
        }
        try rewriteBlocksWithManyTombstones()
    }

    /// Writes `block` again without its deleted samples and puts the new block in its place.
    private func rewrite(_ block: Block) throws(StorageIOError) {
        let meta = try BlockCompactor.compact([block], into: directory, nowMs: options.clock.nowMs())
        let rewritten: Block?
        if let meta {
            do { rewritten = try Block(directory: directory + "/" + meta.ulid) } catch {
                throw StorageIOError(operation: "reopen the rewritten block (\(error))", path: directory, errno: 5 /* EIO */)
            }
        } else {
            rewritten = nil
        }
        blockList.withLock { list in
            list.removeAll { $0.ulid == block.ulid }
            if let rewritten { list.append(rewritten) }
            list.sort { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
        }
        removeDirectories(of: [block])
    }

    /// Reopens a block whose tombstones changed and puts it in the old one's place.
    private func replace(_ block: Block) throws(StorageIOError) {
        let reopened: Block
        do { reopened = try Block(directory: block.directory) } catch {
            throw StorageIOError(operation: "reopen block after writing tombstones (\(error))", path: block.directory, errno: 5 /* EIO */)
        }
        blockList.withLock { list in
            if let i = list.firstIndex(where: { $0.ulid == block.ulid }) { list[i] = reopened }
        }
    }
}
